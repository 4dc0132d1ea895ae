"""Cleanup: find the test calls an import logged, report them, and delete them (dry run first).

What it does, when triggered by hand
    1. ``list_calls`` (``CloseListActivitiesOperator``) streams every call created in
       ``[params.start, params.end)`` to a JSONL file (default: the 7 days before the run).
    2. ``find_test_calls`` keeps the calls whose note contains ``params.note_marker``
       (case-insensitive) and logs a report: how many, and the first few with their lead,
       date and note. Its XCom holds the ids.
    3. ``calls_to_delete`` returns nothing while ``params.dry_run`` is true (the default),
       so a first run only reports. It refuses to go on when more than ``params.max_delete``
       calls matched (a marker that matches too much fails the run before any delete).
    4. ``delete_call`` (``CloseDeleteCallOperator``, ``missing_ok=True``) is mapped over the
       ids: one task instance per call; a call that is already gone counts as deleted, so
       the DAG can be re-run after a partial failure.

What it needs
    A ``close_default`` connection (type Close CRM). No other provider; the listing file goes to
    ``$AIRFLOW_HOME/close/cleanup`` unless the Variable ``close_cleanup_dir`` says otherwise.

How to run it
    Trigger it (UI "Trigger DAG w/ config", or ``airflow dags trigger
    example_close_cleanup_test_calls --conf '{"note_marker": "[test import]"}'``), read the
    ``find_test_calls`` log, then trigger again with ``"dry_run": false``. Locally:
    ``airflow dags test example_close_cleanup_test_calls -c '{"dry_run": false}'`` against the
    sandbox (``python -m airflow_provider_close.sandbox --seed demo``).

What to change for production
    * ``note_marker``: whatever tags the import's test rows (or replace the filter in
      ``find_test_calls`` by a phone number, a user id or a lead list).
    * The listing location: set the Airflow Variable ``close_cleanup_dir`` to an object
      storage URL when tasks may run on different workers.
    * ``max_delete`` above 1024 also needs ``[core] max_map_length`` raised (one mapped task
      instance per call); ``pool="close_api"`` on ``delete_call`` shares the key's budget.
"""

from __future__ import annotations

import json
from typing import Any

import pendulum
from airflow.sdk import ObjectStoragePath, Param, dag, get_current_context, task

from airflow_provider_close.local_output import local_output_dir
from airflow_provider_close.operators.deletions import CloseDeleteCallOperator
from airflow_provider_close.operators.reads import CloseListActivitiesOperator

CLOSE_CONN_ID = "close_default"
#: The files' folder: the Variable ``close_cleanup_dir`` (a path or an object storage URL), else
#: ``$AIRFLOW_HOME/close/cleanup`` (each installation its own; never a shared /tmp folder).
CLEANUP_DIR = "{{ var.value.get('close_cleanup_dir', '" + local_output_dir("cleanup") + "') }}"
#: Calls shown in the report.
REPORT_SAMPLE = 10


def _matching_calls(path: str, marker: str) -> list[dict[str, Any]]:
    """Return the listed calls whose note contains ``marker`` (case-insensitive)."""
    needle = marker.casefold()
    with ObjectStoragePath(path).open("r", encoding="utf-8") as lines:
        calls = (json.loads(line) for line in lines if line.strip())
        return [call for call in calls if needle in (call.get("note") or "").casefold()]


@dag(
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    params={
        "note_marker": Param("[test import]", type="string", minLength=3),
        "start": Param(
            None, type=["null", "string"], description="ISO date; default: 7 days before"
        ),
        "end": Param(None, type=["null", "string"], description="ISO date; default: the run"),
        "dry_run": Param(True, type="boolean", description="only report; delete nothing"),
        "max_delete": Param(500, type="integer", minimum=1),
    },
    tags=["close", "example"],
    doc_md=__doc__,
)
def example_close_cleanup_test_calls() -> None:
    """Report the calls tagged by ``note_marker``; delete them unless ``dry_run``."""
    listing = CloseListActivitiesOperator(
        task_id="list_calls",
        close_conn_id=CLOSE_CONN_ID,
        activity_type="call",
        start="{{ params.start or (dag_run.run_after - macros.timedelta(days=7)).isoformat() }}",
        end="{{ params.end or dag_run.run_after.isoformat() }}",
        output_path=CLEANUP_DIR + "/{{ run_id }}.jsonl",
    )

    @task
    def find_test_calls(listed: dict[str, Any]) -> list[str]:
        """Log a report of the marked calls and return their ids."""
        marker = get_current_context()["params"]["note_marker"]
        calls = _matching_calls(listed["path"], marker)
        print(f"{len(calls)} of {listed['count']} calls carry the marker {marker!r}")
        for call in calls[:REPORT_SAMPLE]:
            print(f"  {call['id']} lead={call.get('lead_id')} {call['date_created']}")
            print(f"    note: {call.get('note', '')[:80]!r}")
        return [call["id"] for call in calls]

    @task
    def calls_to_delete(found: list[str]) -> list[str]:
        """Return the ids to delete: none on a dry run; fail above ``max_delete``."""
        params = get_current_context()["params"]
        if len(found) > params["max_delete"]:
            raise ValueError(
                f"{len(found)} calls match, more than max_delete={params['max_delete']}: "
                "check the marker and the dates, or raise max_delete"
            )
        if params["dry_run"]:
            print(f"Dry run: would delete {len(found)} calls. Trigger with dry_run=false.")
            return []
        return found

    CloseDeleteCallOperator.partial(
        task_id="delete_call", close_conn_id=CLOSE_CONN_ID, missing_ok=True
    ).expand(activity_id=calls_to_delete(find_test_calls(listing.output)))


dag = example_close_cleanup_test_calls()

if __name__ == "__main__":
    dag.test()
