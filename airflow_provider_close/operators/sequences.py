"""CloseSubscribeToSequenceOperator: warehouse rows to Close sequence subscriptions.

Thin: reads the input like the bulk upsert (rows, SQL through any Airflow SQL connection, or a
JSONL/CSV file, local or ``ObjectStoragePath``), hands the rows to
:func:`~airflow_provider_close.automation.subscriptions.subscribe_rows`, writes the per-row
result file and returns the bulk summary (XCom). See ``docs/bulk.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from airflow.sdk import Context
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.automation.subscriptions import SubscriptionRun, subscribe_rows
from airflow_provider_close.bulk.airflow_sources import (
    default_result_path,
    load_rows,
    storage_target,
)
from airflow_provider_close.bulk.readers import FileFormat
from airflow_provider_close.bulk.results import (
    FailureThreshold,
    SyncSummary,
    summarise,
    write_results,
)
from airflow_provider_close.operators._base import CloseBaseOperator

__all__ = ["CloseSubscribeToSequenceOperator"]

_DEFAULT_FIELDS = ("sequence_id", "sender_account_id", "sender_name", "sender_email")


class CloseSubscribeToSequenceOperator(CloseBaseOperator):
    """Subscribe contacts to a Close sequence from rows; never twice, every row reported.

    Each row names ``contact_id`` and ``contact_email`` (one of the contact's emails) and may
    name ``sequence_id``, ``sender_account_id``, ``sender_name``, ``sender_email`` and
    ``calls_assigned_to``; the operator's arguments of the same names fill what a row leaves
    out. Contacts already subscribed to the sequence (any status) are ``unchanged``, so a re-run
    sends nothing again. Returns (XCom) a
    :class:`~airflow_provider_close.bulk.results.SyncSummary`; the result file (JSONL: ``row,
    key`` = ``<sequence>:<contact>``, ``action``, ``close_id`` = the subscription, ``error``)
    has one line per input row: ``created``, ``unchanged``, ``would_create`` (dry run),
    ``invalid``, ``duplicate_key`` or ``failed``.

    :param sequence_id: the sequence ``seq_…`` for rows without one (templated).
    :param sender_account_id: the sending email account ``emailacct_…`` (templated).
    :param sender_name: the sender's name (templated).
    :param sender_email: the sender's address (templated).
    :param rows: input rows (templated; a list of dicts, e.g. from XCom).
    :param sql: a query whose rows are the input (templated).
    :param sql_conn_id: the Airflow SQL connection for ``sql`` (templated).
    :param file: a JSONL or CSV file, local path or object storage URL (templated).
    :param file_format: ``jsonl`` or ``csv`` when the suffix does not tell.
    :param dry_run: read only: report would_create/unchanged/invalid rows.
    :param result_path: where the JSONL result file goes (templated; local or URL).
    :param max_concurrency: subscriptions in flight at most (the rate budget may lower it).
    :param max_failed_rows: fail the task when more rows than this were not subscribed.
    :param max_failed_ratio: fail the task when that share of rows was not subscribed.
    :param close_conn_id: the Close connection (templated).
    """

    template_fields: Sequence[str] = (
        "close_conn_id",
        *_DEFAULT_FIELDS,
        "rows",
        "sql",
        "sql_conn_id",
        "file",
        "result_path",
    )

    def __init__(
        self,
        *,
        sequence_id: str | None = None,
        sender_account_id: str | None = None,
        sender_name: str | None = None,
        sender_email: str | None = None,
        rows: list[dict[str, Any]] | str | None = None,
        sql: str | None = None,
        sql_conn_id: str | None = None,
        file: str | None = None,
        file_format: FileFormat | None = None,
        dry_run: bool = False,
        result_path: str | None = None,
        max_concurrency: int = 8,
        max_failed_rows: int | None = 0,
        max_failed_ratio: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or max_concurrency < 1
        ):
            raise ValueError(f"max_concurrency: got {max_concurrency!r}; allowed: an integer >= 1")
        self.sequence_id = sequence_id
        self.sender_account_id = sender_account_id
        self.sender_name = sender_name
        self.sender_email = sender_email
        self.rows = rows
        self.sql = sql
        self.sql_conn_id = sql_conn_id
        self.file = file
        self.file_format = file_format
        self.plan_only = dry_run
        self.result_path = result_path
        self.max_concurrency = max_concurrency
        self.threshold = FailureThreshold(max_failed_rows, max_failed_ratio)

    def execute(self, context: Context) -> SyncSummary:
        """Subscribe the rows' contacts and return the summary (pushed to XCom)."""
        if isinstance(self.rows, str):
            raise ValueError("rows rendered to a string; use render_template_as_native_obj=True")
        rows = load_rows(
            rows=self.rows,
            sql=self.sql,
            sql_conn_id=self.sql_conn_id,
            file=self.file,
            file_format=self.file_format,
        )
        defaults = {
            name: getattr(self, name) for name in _DEFAULT_FIELDS if getattr(self, name) is not None
        }
        self.log.info("Subscribing the contacts of %d rows to Close sequences", len(rows))
        client = self.hook.new_async_client()  # connection read before the loop starts

        async def run() -> SubscriptionRun:
            async with client:
                return await subscribe_rows(
                    client,
                    rows,
                    defaults,
                    dry_run=self.plan_only,
                    max_concurrency=self.max_concurrency,
                )

        return self._finish(context, asyncio.run(run()))

    def _finish(self, context: Context, run: SubscriptionRun) -> SyncSummary:
        dag_id = str(getattr(context.get("dag"), "dag_id", "dag"))
        run_id = str(context.get("run_id", "manual"))
        path = self.result_path or default_result_path(dag_id, self.task_id, run_id)
        written = write_results(storage_target(path), run.results)
        summary = summarise(
            run.results,
            result_path=written,
            duration_seconds=run.elapsed,
            dry_run=self.plan_only,
            rate_limited=run.rate_limited,
        )
        self.log.info(
            "Subscriptions finished: %s; per-row results in %s", summary["counts"], written
        )
        reason = self.threshold.crossed_by(summary["counts"], summary["total"])
        if reason is not None and not self.plan_only:
            raise AirflowException(f"failure threshold crossed: {reason}; see {written}")
        return summary
