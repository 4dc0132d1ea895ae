"""Warehouse to Close: push lead scores into Close whenever the scoring table is refreshed.

What it does
    1. ``upsert_leads`` reads the ``lead_scores`` table through an Airflow SQL connection and
       creates or updates one Close lead per row (``CloseUpsertLeadsOperator``). Rows are
       matched on the "External ID" lead custom field; the score goes to "Lead Score". A
       row whose lead already has these values is left alone, so re-runs write nothing.
    2. ``follow_up_rows`` joins the upsert's per-row result file with the rows scoring at
       least ``params.high_score`` and returns one follow-up task per lead that was just
       created or updated (a lead whose score did not change gets no new task).
    3. ``create_follow_up_tasks`` logs those tasks in Close
       (``CloseBulkCreateActivitiesOperator``, ``kind="task"``); a task already on the lead
       with the same text and due date is never created twice.

When it runs
    On every update of the ``LEAD_SCORES`` asset: give the job that refreshes the table
    ``outlets=[LEAD_SCORES]`` (or post an asset event through the REST API from dbt, Fivetran
    or your scheduler), and this DAG runs right after it.

What it needs
    * A ``close_default`` connection (type Close CRM) to an organisation with the "External ID"
      and "Lead Score" lead custom fields.
    * A ``warehouse_sqlite`` connection (type SQLite) to a database with a ``lead_scores``
      table, and the SQLite provider: ``pip install 'airflow-provider-close[examples]'``
      (``apache-airflow-providers-sqlite``); without it the task fails naming that package.
    * Result files go to ``$AIRFLOW_HOME/close/results`` unless the Variable
      ``close_results_dir`` says otherwise.

How to run it locally
    ``python3 tools/dev.py demo`` creates a SQLite warehouse, starts the Close sandbox with
    its demo organisation (which has the "External ID" and "Lead Score" fields) and runs this
    DAG with ``dag.test()``. By hand: set ``AIRFLOW_CONN_CLOSE_DEFAULT`` (see the README) and
    ``AIRFLOW_CONN_WAREHOUSE_SQLITE='{"conn_type": "sqlite", "host": "/path/to/warehouse.db"}'``
    and run ``airflow dags test example_close_warehouse_to_close``.

What to change for production
    * ``WAREHOUSE_CONN_ID`` and the two SQL statements: any connection whose hook is a
      common-sql ``DbApiHook`` works (Snowflake, Postgres, BigQuery, ...); only the table
      name and the SQL dialect change.
    * ``LEAD_SCORES``: the URI of your real table, identical to the producer's outlet.
    * ``result_path``: an object storage URL (``s3://...``) when tasks may run on different
      workers, since ``follow_up_rows`` reads the file ``upsert_leads`` wrote.
    * ``pool="close_api"``: a pool shared by every task using the same Close API key
      (``airflow pools set close_api 4 "Close API key budget"``), sized as described in the
      README's "Rate limits and pools" section.
    * Custom field names must exist in your Close organisation (Settings > Custom Fields).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, ObjectStoragePath, dag, get_current_context, task

from airflow_provider_close.hooks.sql_connection import sql_hook
from airflow_provider_close.local_output import local_output_dir
from airflow_provider_close.operators.bulk import (
    CloseBulkCreateActivitiesOperator,
    CloseUpsertLeadsOperator,
)

CLOSE_CONN_ID = "close_default"
#: The files' folder: the Variable ``close_results_dir`` (a path or an object storage URL), else
#: ``$AIRFLOW_HOME/close/results`` (each installation its own; never a shared /tmp folder).
RESULTS_DIR = "{{ var.value.get('close_results_dir', '" + local_output_dir("results") + "') }}"
WAREHOUSE_CONN_ID = "warehouse_sqlite"

#: Updated by whatever refreshes the table (declare it in that task's ``outlets``).
LEAD_SCORES = Asset(name="warehouse_lead_scores", uri="sqlite://warehouse/lead_scores")

LEAD_SCORES_SQL = """
SELECT external_id, company, website, contact_name, contact_email, score
FROM lead_scores
ORDER BY external_id
"""
#: Rows scoring at least the threshold (an integer, checked before it is formatted in).
HIGH_SCORES_SQL = "SELECT external_id, company, score FROM lead_scores WHERE score >= {threshold}"

#: Row columns -> Close lead fields; custom fields by their display name.
LEAD_MAPPING = {
    "name": "company",
    "url": "website",
    "contacts": [{"name": "contact_name", "emails": ["contact_email"]}],
    "custom": {"External ID": "external_id", "Lead Score": "score"},
}
#: Upsert outcomes that earn a follow-up task (``unchanged`` leads got one already).
CHANGED = ("created", "updated")


def _result_rows(path: str) -> list[dict[str, Any]]:
    """Return the upsert's per-row results (JSONL, local path or object storage URL)."""
    with ObjectStoragePath(path).open("r", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@dag(
    schedule=[LEAD_SCORES],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={"high_score": 80},
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2)},
    tags=["close", "example"],
    doc_md=__doc__,
)
def example_close_warehouse_to_close() -> None:
    """Upsert scored leads into Close, then create follow-up tasks for the high scores."""
    upsert = CloseUpsertLeadsOperator(
        task_id="upsert_leads",
        close_conn_id=CLOSE_CONN_ID,
        sql=LEAD_SCORES_SQL,
        sql_conn_id=WAREHOUSE_CONN_ID,
        match_key="External ID",
        mapping=LEAD_MAPPING,
        result_path=(RESULTS_DIR + "/{{ dag.dag_id }}/{{ run_id }}.jsonl"),
        max_failed_ratio=0.01,
    )

    @task
    def follow_up_rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
        """Return one Close task row per high-scoring lead created or updated by this run."""
        context = get_current_context()
        threshold = int(context["params"]["high_score"])
        hook = sql_hook(WAREHOUSE_CONN_ID)  # names the provider if missing
        high = {
            str(external_id): (company, score)
            for external_id, company, score in hook.get_records(
                HIGH_SCORES_SQL.format(threshold=threshold)
            )
        }
        due = context["dag_run"].run_after.date().isoformat()
        rows = [
            {
                "lead_id": result["close_id"],
                "text": f"Call {high[result['key']][0]}: lead score {high[result['key']][1]}",
                "date": due,
            }
            for result in _result_rows(summary["result_path"])
            if result["action"] in CHANGED and result["key"] in high
        ]
        print(f"{len(rows)} high-scoring leads (>= {threshold}) need a follow-up task")
        return rows

    CloseBulkCreateActivitiesOperator(
        task_id="create_follow_up_tasks",
        close_conn_id=CLOSE_CONN_ID,
        kind="task",
        rows=follow_up_rows(upsert.output),
    )


dag = example_close_warehouse_to_close()

if __name__ == "__main__":
    dag.test()
