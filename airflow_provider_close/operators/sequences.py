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

from airflow_provider_close.automation.subscriptions import subscribe_rows
from airflow_provider_close.bulk.engine import UpsertRun
from airflow_provider_close.bulk.results import SyncSummary
from airflow_provider_close.operators.bulk import _CloseBulkOperator

__all__ = ["CloseSubscribeToSequenceOperator"]

_DEFAULT_FIELDS = ("sequence_id", "sender_account_id", "sender_name", "sender_email")


class CloseSubscribeToSequenceOperator(_CloseBulkOperator):
    """Subscribe contacts to a Close sequence from rows; never twice, every row reported.

    Exactly one input: ``rows``, ``sql`` (with ``sql_conn_id``) or ``file``, as for the bulk
    upsert, with its ``result_path``, ``max_concurrency``, ``max_failed_rows`` and
    ``max_failed_ratio``. Each row names ``contact_id`` and ``contact_email`` (one of the
    contact's emails) and may name ``sequence_id``, ``sender_account_id``, ``sender_name``,
    ``sender_email`` and ``calls_assigned_to``; the operator's arguments of the same names fill
    what a row leaves out. Contacts already subscribed to the sequence (any status) are
    ``unchanged``, so a re-run sends nothing again. Returns (XCom) a
    :class:`~airflow_provider_close.bulk.results.SyncSummary`; the result file (JSONL: ``row,
    key`` = ``<sequence>:<contact>``, ``action``, ``close_id`` = the subscription, ``error``)
    has one line per input row: ``created``, ``unchanged``, ``would_create`` (dry run),
    ``invalid``, ``duplicate_key`` or ``failed``.

    :param sequence_id: the sequence ``seq_…`` for rows without one (templated).
    :param sender_account_id: the sending email account ``emailacct_…`` (templated).
    :param sender_name: the sender's name (templated).
    :param sender_email: the sender's address (templated).
    :param dry_run: read only: report would_create/unchanged/invalid rows.
    :param close_conn_id: the Close connection (templated).
    """

    template_fields: Sequence[str] = (*_CloseBulkOperator.template_fields, *_DEFAULT_FIELDS)

    def __init__(
        self,
        *,
        sequence_id: str | None = None,
        sender_account_id: str | None = None,
        sender_name: str | None = None,
        sender_email: str | None = None,
        dry_run: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.sequence_id = sequence_id
        self.sender_account_id = sender_account_id
        self.sender_name = sender_name
        self.sender_email = sender_email
        self.plan_only = dry_run

    def execute(self, context: Context) -> SyncSummary:
        """Subscribe the rows' contacts and return the summary (pushed to XCom)."""
        rows = self._input_rows()
        defaults = {
            name: getattr(self, name) for name in _DEFAULT_FIELDS if getattr(self, name) is not None
        }
        self.log.info("Subscribing the contacts of %d rows to Close sequences", len(rows))
        client = self.hook.new_async_client()  # connection read before the loop starts

        async def run() -> UpsertRun:
            async with client:
                return await subscribe_rows(
                    client,
                    rows,
                    defaults,
                    dry_run=self.plan_only,
                    max_concurrency=self.max_concurrency,
                )

        return self._finish(context, asyncio.run(run()), dry_run=self.plan_only)
