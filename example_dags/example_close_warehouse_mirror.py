"""A warehouse mirror of Close: every change and every deletion, day by day, backfillable.

What it does, once per day (and once per past day, thanks to ``catchup=True``)
    For leads, contacts, opportunities and every activity type:
    1. ``changes_<type>`` (``CloseExtractChangesOperator``) writes every object whose
       ``date_updated`` falls in the run's data interval to NDJSON;
    2. ``deleted_<type>`` (``CloseExtractTombstonesOperator``) writes one line per object
       deleted (or merged away) in the interval, from Close's event log;
    3. ``merge_<type>`` applies both to the warehouse table ``close_<table>`` through an
       Airflow SQL connection (common-sql): the row with the latest ``date_updated`` wins, a
       tombstone deletes the row and is remembered in ``close_deleted``, so an older change
       arriving later (a re-run, a backfill) never brings a deleted object back.
    Re-running any interval, in any order, leaves the same tables.

Tables
    ``close_<table> (id PRIMARY KEY, date_updated, data)``: ``data`` is the object as Close
    returns it (JSON text); leads are stored without their embedded ``contacts``,
    ``opportunities`` and ``tasks``, which have their own tables or change without the lead.
    ``close_deleted (id PRIMARY KEY, object_type, deleted_at, merged_into)``.

How to run it locally
    ``python3 tools/dev.py demo`` runs it against the Close sandbox. By hand, set
    ``AIRFLOW_CONN_CLOSE_DEFAULT`` and ``AIRFLOW_CONN_WAREHOUSE_SQLITE`` (see the README) and
    ``airflow dags test example_close_warehouse_mirror 2026-11-21``.

What to change for production
    * ``WAREHOUSE_CONN_ID``: any common-sql connection. The merge statement
      (``INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE``) runs unchanged on SQLite and
      PostgreSQL (the tests run both); Snowflake and BigQuery spell it ``MERGE INTO``.
    * The file location: the Airflow Variable ``close_mirror_dir`` (default
      ``$AIRFLOW_HOME/close/mirror``; an object storage URL such as ``s3://lake/close-mirror``
      on several workers).
    * First load and history older than the event log's 30 days: run
      ``CloseExportOperator`` once and load its file the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import ObjectStoragePath, dag, task

try:
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 3.1 has it only in core
    from airflow.timetables.interval import CronDataIntervalTimetable
from airflow_provider_close.hooks.sql_connection import sql_hook
from airflow_provider_close.local_output import local_output_dir
from airflow_provider_close.operators.changes import (
    CloseExtractChangesOperator,
    CloseExtractTombstonesOperator,
)

CLOSE_CONN_ID = "close_default"
WAREHOUSE_CONN_ID = "warehouse_sqlite"
#: Close object type -> warehouse table.
TABLES = {
    "lead": "close_leads",
    "contact": "close_contacts",
    "opportunity": "close_opportunities",
    **{f"activity.{kind}": f"close_{kind}s" for kind in ("call", "sms", "note", "email")},
    "activity.meeting": "close_meetings",
}
DELETED_TABLE = "close_deleted"
#: Fields not mirrored: a lead's embedded children change without its ``date_updated``.
EMBEDDED = {"lead": ("contacts", "opportunities", "tasks")}


def create_tables_sql(table: str) -> list[str]:
    """Return the statements creating ``table`` and the tombstone table (idempotent)."""
    return [
        f"CREATE TABLE IF NOT EXISTS {table} "
        "(id TEXT PRIMARY KEY, date_updated TEXT NOT NULL, data TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {DELETED_TABLE} (id TEXT PRIMARY KEY, "
        "object_type TEXT NOT NULL, deleted_at TEXT NOT NULL, merged_into TEXT)",
    ]


def upsert_sql(table: str, mark: str) -> str:
    """Return the change merge: insert, or replace an older version; never a deleted id."""
    return (
        f"INSERT INTO {table} (id, date_updated, data) "
        f"SELECT {mark}, {mark}, {mark} WHERE NOT EXISTS "
        f"(SELECT 1 FROM {DELETED_TABLE} WHERE id = {mark}) "
        "ON CONFLICT (id) DO UPDATE SET date_updated = excluded.date_updated, "
        f"data = excluded.data WHERE excluded.date_updated > {table}.date_updated"
    )


def _changes(path: str, object_type: str) -> Iterator[tuple[str, str, str, str]]:
    dropped = EMBEDDED.get(object_type, ())
    with ObjectStoragePath(path).open("r", encoding="utf-8") as lines:
        for line in lines:
            obj = {k: v for k, v in json.loads(line).items() if k not in dropped}
            data = json.dumps(obj, sort_keys=True, separators=(",", ":"))
            yield obj["id"], obj["date_updated"], data, obj["id"]


def _tombstones(path: str) -> list[dict[str, Any]]:
    with ObjectStoragePath(path).open("r", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def merge_into_warehouse(
    conn_id: str, object_type: str, changes: dict[str, Any], deleted: dict[str, Any]
) -> dict[str, int]:
    """Apply one interval's changes and tombstones to the type's table, in one transaction."""
    table = TABLES[object_type]
    hook = sql_hook(conn_id)  # names the provider if missing
    mark = hook.placeholder
    stones = _tombstones(deleted["path"])
    with closing(hook.get_conn()) as conn:
        with closing(conn.cursor()) as cursor:
            for statement in create_tables_sql(table):
                cursor.execute(statement)
            cursor.executemany(
                f"INSERT INTO {DELETED_TABLE} (id, object_type, deleted_at, merged_into) "
                f"VALUES ({mark}, {mark}, {mark}, {mark}) ON CONFLICT (id) DO NOTHING",
                [(s["id"], s["object_type"], s["deleted_at"], s["merged_into"]) for s in stones],
            )
            cursor.executemany(
                f"DELETE FROM {table} WHERE id = {mark}", [(s["id"],) for s in stones]
            )
            cursor.executemany(
                upsert_sql(table, mark), list(_changes(changes["path"], object_type))
            )
        conn.commit()
    return {"changes": int(changes["rows"]), "deleted": len(stones)}


@dag(
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=True,
    max_active_runs=2,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5)},
    tags=["close", "example"],
    doc_md=__doc__,
)
def example_close_warehouse_mirror() -> None:
    """Mirror one day of Close changes and deletions into the warehouse tables."""
    base = (
        "{{ var.value.get('close_mirror_dir', '" + local_output_dir("mirror") + "') }}"
        "/{{ data_interval_start.strftime('%Y-%m-%d') }}"
    )

    @task
    def merge(object_type: str, changes: dict[str, Any], deleted: dict[str, Any]) -> dict:
        """Merge the interval's files into the warehouse; return the counts."""
        return merge_into_warehouse(WAREHOUSE_CONN_ID, object_type, changes, deleted)

    for object_type in TABLES:
        slug = object_type.replace(".", "_")
        changes = CloseExtractChangesOperator(
            task_id=f"changes_{slug}",
            close_conn_id=CLOSE_CONN_ID,
            object_type=object_type,
            path=f"{base}/changes-{slug}.jsonl",
        )
        deleted = CloseExtractTombstonesOperator(
            task_id=f"deleted_{slug}",
            close_conn_id=CLOSE_CONN_ID,
            object_type=object_type,
            path=f"{base}/deleted-{slug}.jsonl",
        )
        merge.override(task_id=f"merge_{slug}")(object_type, changes.output, deleted.output)


dag = example_close_warehouse_mirror()

if __name__ == "__main__":
    dag.test()
