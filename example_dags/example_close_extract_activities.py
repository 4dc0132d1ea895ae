"""Incremental extraction with backfill: each day's Close activities into the warehouse.

What it does, once per day (and once per past day, thanks to ``catchup=True``)
    1. ``extract_activities`` (``CloseExtractActivitiesOperator``) writes every call, SMS,
       note, email and meeting created in Close during the run's data interval (one UTC day)
       to a newline-delimited JSON file. Re-running a day writes an identical file; a run
       that dies half-way never leaves a partial file under the real name.
    2. ``load_into_warehouse`` loads that file into the ``close_activities`` table through an
       Airflow SQL connection: it first deletes the rows of the same interval, so re-running
       or backfilling a day replaces it instead of duplicating it.
    3. The extraction declares the Asset ``close_activities_daily`` as its outlet: each
       successful run updates it, and the event's ``extra`` names the file, its interval and
       its row counts. A second DAG in this file, ``example_close_activities_landed``, is
       scheduled on that Asset: it runs whenever a day of Close activities has landed and
       reads which file from ``triggering_asset_events``.

What it needs
    * A ``close_default`` connection (type Close CRM).
    * A ``warehouse_sqlite`` connection (type SQLite; the README's "The example DAGs'
      warehouse connection") and the SQLite provider:
      ``pip install 'airflow-provider-close[examples]'`` (``apache-airflow-providers-sqlite``);
      without it the load task fails naming that package.
    * A scheduler for the daily runs, the catch-up and backfills; the NDJSON files go to
      ``$AIRFLOW_HOME/close/extract`` unless the Variable ``close_extract_dir`` says otherwise.

How to run it locally
    ``python3 tools/dev.py demo`` runs one day of it against the Close sandbox. By hand, set
    ``AIRFLOW_CONN_CLOSE_DEFAULT`` and ``AIRFLOW_CONN_WAREHOUSE_SQLITE`` (the README's
    "The connection" and "The example DAGs' warehouse connection" sections) and
    run ``airflow dags test example_close_extract_activities 2026-11-21``: a run at a given
    date extracts the last complete day before it (here 2026-11-20).

Backfill (a scheduler must be running; the runs are queued like scheduled ones)
    The DAG must be unpaused (new DAGs start paused: ``airflow dags unpause
    example_close_extract_activities`` or the UI toggle), and unpausing it starts its catch-up:
    one run per day from ``start_date`` to yesterday. To extract only chosen days, set
    ``catchup=False`` (or a recent ``start_date``) before unpausing, then
    ``airflow backfill create --dag-id example_close_extract_activities
    --from-date 2026-11-01 --to-date 2026-11-07 --reprocess-behavior completed``
    re-extracts and reloads those days (``--dry-run`` lists the runs first;
    ``--max-active-runs 2`` limits the load on the Close API).

What to change for production
    * ``start_date``: the first day you want; with ``catchup=True`` Airflow creates a run for
      every day since.
    * The file location: set the Airflow Variable ``close_extract_dir`` to an object storage
      URL (``s3://lake/close``; add ``storage_conn_id=`` if the store needs a connection).
      The load task reads the file, so on several workers it must not be a local path.
    * ``WAREHOUSE_CONN_ID`` and the two statements: Snowflake, Postgres, BigQuery... through
      their common-sql hooks; for large days prefer the warehouse's bulk load (``COPY INTO``
      from the object store) over row inserts.
    * The Asset: with a fixed folder (``s3://lake/close/activities/{{ ds }}.jsonl``),
      ``airflow_provider_close.assets.file_asset(path)`` names it after the folder; DAGs in
      other files schedule on it by the same name or URI.
    * Keep a data-interval timetable (``CronDataIntervalTimetable``): in Airflow 3 a plain cron
      string (``"@daily"``) or ``timedelta`` schedule gives each run a zero-length data
      interval, and the run would extract nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import Asset, ObjectStoragePath, dag, task

try:
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 3.1 has it only in core
    from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_close.hooks.sql_connection import sql_hook
from airflow_provider_close.local_output import local_output_dir
from airflow_provider_close.operators.extract import CloseExtractActivitiesOperator

CLOSE_CONN_ID = "close_default"
#: The files' folder: the Variable ``close_extract_dir`` (a path or an object storage URL), else
#: ``$AIRFLOW_HOME/close/extract`` (each installation its own; never a shared /tmp folder).
EXTRACT_DIR = "{{ var.value.get('close_extract_dir', '" + local_output_dir("extract") + "') }}"
WAREHOUSE_CONN_ID = "warehouse_sqlite"
TABLE = "close_activities"
#: Updated by every successful extraction; the event's extra says which file landed.
ACTIVITIES_LANDED = Asset(name="close_activities_daily")
COLUMNS = ("id", "activity_type", "lead_id", "user_id", "date_created", "interval_start", "raw")

CREATE_TABLE_SQL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id TEXT PRIMARY KEY,
    activity_type TEXT NOT NULL,
    lead_id TEXT,
    user_id TEXT,
    date_created TEXT NOT NULL,
    interval_start TEXT NOT NULL,
    raw TEXT NOT NULL
)
"""


def _table_rows(path: str, interval_start: str) -> Iterator[tuple[Any, ...]]:
    """Yield one table row per line of the extracted file (streamed, flat memory)."""
    with ObjectStoragePath(path).open("r", encoding="utf-8") as lines:
        for line in lines:
            activity = json.loads(line)
            yield (
                activity["id"],
                activity["_type"],
                activity.get("lead_id"),
                activity.get("user_id"),
                activity["date_created"],
                interval_start,
                line.rstrip("\n"),
            )


@dag(
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=True,
    max_active_runs=2,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["close", "example"],
    doc_md=__doc__,
)
def example_close_extract_activities() -> None:
    """Extract one day of Close activities to NDJSON, then replace that day in the warehouse."""
    extract = CloseExtractActivitiesOperator(
        task_id="extract_activities",
        close_conn_id=CLOSE_CONN_ID,
        path=(EXTRACT_DIR + "/activities/{{ data_interval_start.strftime('%Y-%m-%d') }}.jsonl"),
        outlets=[ACTIVITIES_LANDED],
    )

    @task
    def load_into_warehouse(extracted: dict[str, Any]) -> int:
        """Replace the interval's rows in the warehouse table; return how many were loaded."""
        hook = sql_hook(WAREHOUSE_CONN_ID)  # names the provider if missing
        hook.run(CREATE_TABLE_SQL)
        hook.run(
            f"DELETE FROM {TABLE} WHERE interval_start = {hook.placeholder}",
            parameters=(extracted["start"],),
        )
        hook.insert_rows(
            TABLE, _table_rows(extracted["path"], extracted["start"]), target_fields=COLUMNS
        )
        print(f"Loaded {extracted['rows']} activities ({extracted['counts']}) into {TABLE}")
        return int(extracted["rows"])

    load_into_warehouse(extract.output)


@dag(schedule=[ACTIVITIES_LANDED], start_date=pendulum.datetime(2026, 11, 1, tz="UTC"))
def example_close_activities_landed() -> None:
    """Run when a day of Close activities has landed; read which file from the asset event."""

    @task
    def report_landed_files(triggering_asset_events: Any = None) -> list[str]:
        """Return the files that landed (one per event; several if extractions piled up)."""
        events = triggering_asset_events[ACTIVITIES_LANDED] if triggering_asset_events else []
        for event in events:
            extra = event.extra
            print(f"{extra['path']}: {extra['rows']} activities of {extra['start'][:10]}")
        return [str(event.extra["path"]) for event in events]

    report_landed_files()


landed_dag = example_close_activities_landed()
dag = example_close_extract_activities()  # after the decorators: this name shadows ``dag``

if __name__ == "__main__":
    dag.test()
