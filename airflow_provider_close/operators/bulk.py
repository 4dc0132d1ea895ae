"""Bulk operators: warehouse rows to Close leads (upsert) and activities (de-duplicated).

Both are thin: they read the input (rows, SQL through any Airflow SQL connection, or a
JSONL/CSV file, local or ``ObjectStoragePath``), resolve names, hand the rows to the engine in
``airflow_provider_close.bulk`` on an ``AsyncCloseClient``, then write the per-row result file
and return a small summary (XCom). See ``docs/bulk.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.operators.bulk_base import _CloseBulkOperator, _CloseUpsertOperator

if TYPE_CHECKING:
    from airflow.sdk import XComArg

    from airflow_provider_close.bulk.approval import ApprovalDecision
    from airflow_provider_close.bulk.engine import ResultSink, UpsertOptions, UpsertRun
    from airflow_provider_close.bulk.results import ResultFile, SyncSummary

#: The two bases (``operators/bulk_base.py``) stay importable from here, as before.
__all__ = [
    "CloseBulkCreateActivitiesOperator",
    "CloseUpsertLeadsOperator",
    "_CloseBulkOperator",
    "_CloseUpsertOperator",
]


class CloseUpsertLeadsOperator(_CloseUpsertOperator):
    """Create or update Close leads from warehouse rows, idempotently and rate-aware.

    Exactly one input: ``rows``, ``sql`` (with ``sql_conn_id``) or ``file``. Returns (XCom)
    a :class:`~airflow_provider_close.bulk.results.SyncSummary`: counts per action, the
    result file path, the duration and a small sample. Every input row appears once in the
    result file (JSONL: ``row, key, action, close_id, error``).

    :param mapping: row columns -> lead fields, contacts and custom fields (templated); see
        docs/bulk.md.
    :param match_key: ``name``, ``contact_email`` or a lead custom field name/``cf_`` id
        whose column identifies the lead (templated).
    :param rows: input rows (templated; a list of dicts, e.g. from XCom).
    :param sql: a query whose rows are the input (templated).
    :param sql_conn_id: the Airflow SQL connection for ``sql`` (templated).
    :param file: a JSONL or CSV file, local path or object storage URL (templated).
    :param file_format: ``jsonl`` or ``csv`` when the suffix does not tell.
    :param dry_run: read only: report would-create/would-update/unchanged/invalid counts.
    :param result_path: where the JSONL result file goes (templated; local or URL);
        default: a file under the system temp directory named after the task run.
    :param max_concurrency: rows in flight at most (default 64); below it, the pool is sized
        from the live rate budget times the round trip (at 20 writes/s and 50 ms: 3).
    :param max_failed_rows: fail the task when more rows than this were not written.
    :param max_failed_ratio: fail the task when that share of rows was not written.
    :param progress_interval: seconds between progress lines in the task log.
    :param settle_seconds: how long after a lost lead create (or, on a retry, after this try
        started) a search that finds nothing is believed before creating (default 60).
    :param mode: ``upsert`` (default), ``update_only`` (never create: unmatched rows are
        ``skipped`` with the reason) or ``create_only`` (never update: matched rows are
        ``skipped``).
    :param fill_only_when_empty: mapped fields written only while Close holds no value for
        them (``"description"``, ``"custom.Industry"``: custom fields by their mapping name).
    :param approved: the approval task's decision (templated; ``approve_task.output``):
        send only if it approved, and only if a fresh plan creates and updates no more
        leads than it approved; else fail with nothing sent (see ``operators/approval.py``).
    :param batch_size: rows read, looked up, planned and written at a time; SQL and files
        are streamed, so memory follows this, not the input size.
    :param shard: ``(i, n)``: only the rows whose key hashes to shard ``i`` of ``n``, for
        dynamic task mapping over one input (``.partial(...).expand(shard=[...])``; templated).
    :param close_conn_ids: more Close connections, API keys of the same organisation: the
        writes are shared between every key's pool (templated; Close allows an organisation
        3x one key's rate).
    :param close_conn_id: the Close connection (templated; it also runs the searches).
    """

    template_fields: Sequence[str] = (
        *_CloseUpsertOperator.template_fields,
        "shard",
        "close_conn_ids",
        "approved",
    )

    def __init__(
        self,
        *,
        batch_size: int = 1000,
        shard: tuple[int, int] | list[int] | None = None,
        close_conn_ids: Sequence[str] = (),
        approved: ApprovalDecision | str | XComArg | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be an int >= 1, got {batch_size!r}")
        self.batch_size = batch_size
        self.shard = shard
        self.close_conn_ids = close_conn_ids
        self.approved = approved

    def execute(self, context: Context) -> SyncSummary:
        """Run the upsert and return the summary (pushed to XCom).

        With ``approved``: refuse (fail, nothing sent) unless the change was approved and a
        fresh plan stays within the approved counts (``operators/approval.py``).
        """
        from airflow_provider_close.bulk.engine import upsert_leads
        from airflow_provider_close.bulk.mapping import parse_mapping
        from airflow_provider_close.bulk.resolve import custom_keys_for, match_key_for
        from airflow_provider_close.bulk.results import ResultFile, ResultTally
        from airflow_provider_close.bulk.shards import check_shard
        from airflow_provider_close.lookups.custom_fields import CustomFieldResolver

        mapping = parse_mapping(self.mapping)
        self._fill_only(list(mapping.fields), list(mapping.custom))
        shard = None if self.shard is None else check_shard(self.shard)  # before any request
        rows = self._stream()
        resolver = CustomFieldResolver(self.hook.client, "lead")
        custom_keys = custom_keys_for(mapping, resolver)
        key = match_key_for(self.match_key, resolver)
        options = replace(
            self._options(context, list(mapping.fields), custom_keys),
            batch_size=self.batch_size,
            shard=shard,
        )
        self.log.info("Upserting rows into Close leads (match on %s)", self.match_key)

        client = self.hook.new_async_client()  # connection read before the loop starts
        more = [CloseHook(close_conn_id=c).new_async_client() for c in self.close_conn_ids]

        async def upsert(chosen: UpsertOptions, stream: Any, sink: ResultSink) -> UpsertRun:
            return await upsert_leads(
                client,
                stream,
                mapping,
                key,
                custom_keys,
                options=chosen,
                check_custom=resolver.checked_value,
                sink=sink,
                more_clients=more,
            )

        async def run(results: ResultFile) -> UpsertRun:
            async with AsyncExitStack() as stack:
                for opened in (client, *more):
                    await stack.enter_async_context(opened)
                if self.approved is not None and not self.plan_only:
                    plan = ResultTally()  # a dry run over a fresh stream of the input
                    await upsert(replace(options, dry_run=True), self._stream(), plan.add)
                    self._check_approved(plan.counts)
                return await upsert(options, rows, results.add)

        with ResultFile(self._result_target(context)) as results:
            done = asyncio.run(run(results))
            self._fail_if_stopped(results)
        return self._summary(results, done, dry_run=self.plan_only)

    def _check_approved(self, counts: Mapping[str, int]) -> None:
        """Raise ``AirflowFailException`` unless the fresh plan is within the approval."""
        from airflow_provider_close._compat import AirflowFailException
        from airflow_provider_close.bulk.approval import PlannedChanges, exceeded_approval

        planned = PlannedChanges(creates=counts["would_create"], updates=counts["would_update"])
        refusal = exceeded_approval(self.approved, planned)
        if refusal is not None:
            raise AirflowFailException(f"nothing sent: {refusal}")
        self.log.info("Within the approval: %s", planned.as_dict())


class CloseBulkCreateActivitiesOperator(_CloseBulkOperator):
    """Log calls, SMS, notes and tasks from rows, never twice (fingerprint de-duplication).

    Each row is a create payload for ``kind`` (``lead_id`` required), checked with the
    client's payload validators; an invalid row is reported, never sent. One listing per
    lead finds what is already logged. Returns (XCom) the same summary as the upsert.

    :param kind: ``call``, ``sms``, ``note`` or ``task``.
    :param rows: input rows (templated).
    :param sql: a query whose rows are the input (templated).
    :param sql_conn_id: the Airflow SQL connection for ``sql`` (templated).
    :param file: a JSONL or CSV file, local path or object storage URL (templated).
    :param file_format: ``jsonl`` or ``csv`` when the suffix does not tell.
    :param result_path: where the JSONL result file goes (templated).
    :param max_concurrency: rows in flight at most (default 64; the live rate budget sizes
        the pool below it).
    :param max_failed_rows: fail the task when more rows than this were not written.
    :param max_failed_ratio: fail the task when that share of rows was not written.
    :param progress_interval: seconds between progress lines in the task log.
    :param close_conn_id: the Close connection (templated).
    """

    template_fields: Sequence[str] = (*_CloseBulkOperator.template_fields, "kind")

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind

    @property
    def lineage_object_types(self) -> tuple[str, ...]:  # type: ignore[override]
        """The Close dataset written: ``activity.<kind>``, or ``task``."""
        return ("task" if self.kind == "task" else f"activity.{self.kind}",)

    def execute(self, context: Context) -> SyncSummary:
        """Log the activities and return the summary (pushed to XCom)."""
        from airflow_provider_close.bulk.activities_engine import ActivityOptions, create_activities

        rows = self._input_rows()
        options = ActivityOptions(
            max_concurrency=self.max_concurrency,
            progress_interval=self.progress_interval,
            stop=self._stop_signal(),
        )
        self.log.info("Logging %d %s rows in Close", len(rows), self.kind)

        client = self.hook.new_async_client()  # connection read before the loop starts

        async def run() -> UpsertRun:
            async with client:
                return await create_activities(client, self.kind, rows, options=options)

        return self._finish(context, asyncio.run(run()), dry_run=False)
