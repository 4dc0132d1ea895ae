"""Airflow-specific inputs and outputs of the bulk operators: SQL via a connection, and
``ObjectStoragePath`` URLs. The engine itself never imports Airflow; only this module does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from airflow.sdk import ObjectStoragePath

from airflow_provider_close.bulk.readers import FileFormat, iter_file_rows, rows_from_iterable
from airflow_provider_close.bulk.results import Openable
from airflow_provider_close.hooks.sql_connection import sql_hook
from airflow_provider_close.local_output import local_output_dir

__all__ = [
    "default_result_path",
    "iter_sql_rows",
    "load_rows",
    "rows_from_sql",
    "storage_target",
    "stream_rows",
]


def storage_target(location: str) -> str | Openable:
    """Return a local path as is, and a URL (``s3://``, ``file://``...) as an ``ObjectStoragePath``.

    :param location: a local path or an object storage URL.
    """
    return ObjectStoragePath(location) if "://" in location else location


#: Rows fetched per ``cursor.fetchmany`` call.
SQL_FETCH_SIZE = 1000


def iter_sql_rows(
    conn_id: str,
    sql: str,
    parameters: Sequence[Any] | Mapping[str, Any] | None = None,
    *,
    fetch_size: int = SQL_FETCH_SIZE,
) -> Iterator[dict[str, Any]]:
    """Yield the rows of a query as dicts, ``fetch_size`` at a time, through any SQL connection.

    The cursor is read with ``fetchmany``, so rows stream when the driver streams (SQLite,
    server-side cursors); a driver that buffers the whole result client-side still does.

    :param conn_id: a connection whose hook is a ``DbApiHook`` (common-sql); a missing provider
        for its type is named in the error.
    :param sql: the query.
    :param parameters: query parameters, passed to the DB-API cursor.
    :param fetch_size: rows per ``fetchmany``.
    """
    hook = sql_hook(conn_id)
    with closing(hook.get_conn()) as connection, closing(connection.cursor()) as cursor:
        if parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        columns = [description[0] for description in cursor.description or ()]
        while records := cursor.fetchmany(fetch_size):
            yield from (dict(zip(columns, record, strict=True)) for record in records)


def rows_from_sql(
    conn_id: str, sql: str, parameters: Sequence[Any] | Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Return the rows of a query as dicts (all of them: see :func:`iter_sql_rows`).

    :param conn_id: a connection whose hook is a ``DbApiHook`` (common-sql).
    :param sql: the query.
    :param parameters: query parameters, passed to the DB-API cursor.
    """
    return list(iter_sql_rows(conn_id, sql, parameters))


def stream_rows(
    *,
    rows: Sequence[Any] | None,
    sql: str | None,
    sql_conn_id: str | None,
    file: str | None,
    file_format: FileFormat | None,
) -> Iterable[Any]:
    """Return the input rows from exactly one source, read lazily (SQL and files stream).

    Inputs are checked here, before anything is read. In-memory rows (XCom) come as given.

    :param rows: in-memory rows (e.g. pulled from XCom).
    :param sql: a query, run through ``sql_conn_id``.
    :param sql_conn_id: the SQL connection.
    :param file: a JSONL or CSV file (local path or object storage URL).
    :param file_format: ``jsonl`` or ``csv`` (guessed from the suffix when omitted).
    """
    present = {"rows": rows is not None, "sql": bool(sql), "file": bool(file)}
    given = [name for name, is_set in present.items() if is_set]
    if len(given) != 1:
        raise ValueError(f"give exactly one input of rows, sql or file (got {given or 'none'})")
    if sql:
        if not sql_conn_id:
            raise ValueError("sql needs sql_conn_id (an Airflow SQL connection)")
        return iter_sql_rows(sql_conn_id, sql)
    if file:
        return iter_file_rows(storage_target(file), file_format)
    return rows_from_iterable(rows or [])


def load_rows(
    *,
    rows: Sequence[Any] | None,
    sql: str | None,
    sql_conn_id: str | None,
    file: str | None,
    file_format: FileFormat | None,
) -> list[Any]:
    """Return the input rows from exactly one source (all of them: see :func:`stream_rows`).

    :param rows: in-memory rows (e.g. pulled from XCom).
    :param sql: a query, run through ``sql_conn_id``.
    :param sql_conn_id: the SQL connection.
    :param file: a JSONL or CSV file (local path or object storage URL).
    :param file_format: ``jsonl`` or ``csv`` (guessed from the suffix when omitted).
    """
    return list(
        stream_rows(rows=rows, sql=sql, sql_conn_id=sql_conn_id, file=file, file_format=file_format)
    )


def default_result_path(dag_id: str, task_id: str, run_id: str) -> str:
    """Return a local result file path for a task run (under ``AIRFLOW_HOME``, not ``/tmp``).

    :param dag_id: the DAG id.
    :param task_id: the task id.
    :param run_id: the run id.
    """
    dag, task, run = (re.sub(r"[^A-Za-z0-9_.-]+", "_", p) for p in (dag_id, task_id, run_id))
    return str(Path(local_output_dir("bulk"), dag, task, f"{run}.jsonl"))
