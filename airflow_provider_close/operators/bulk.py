"""Bulk operators: warehouse rows to Close leads (upsert) and activities (de-duplicated).

Both are thin: they read the input (rows, SQL through any Airflow SQL connection, or a
JSONL/CSV file, local or ``ObjectStoragePath``), resolve names, hand the rows to the engine in
``airflow_provider_close.bulk`` on an ``AsyncCloseClient``, then write the per-row result file
and return a small summary (XCom). See ``docs/bulk.md``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import Context
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.bulk.modes import check_mode
from airflow_provider_close.bulk.results import FailureThreshold
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.idempotency.rule import DEFAULT_SETTLE_SECONDS, Clock, SystemClock
from airflow_provider_close.lineage import CloseLineageMixin
from airflow_provider_close.operators._base import (
    CloseBaseOperator,
    checked_settle_seconds,
    retry_started,
)

if TYPE_CHECKING:
    from airflow.sdk import XComArg

    from airflow_provider_close.bulk.approval import ApprovalDecision
    from airflow_provider_close.bulk.child_engine import ChildKind, ParentLeads
    from airflow_provider_close.bulk.engine import ResultSink, UpsertOptions, UpsertRun
    from airflow_provider_close.bulk.modes import SyncMode
    from airflow_provider_close.bulk.readers import FileFormat
    from airflow_provider_close.bulk.results import Openable, ResultFile, SyncSummary
    from airflow_provider_close.bulk.stop import StopSignal
    from airflow_provider_close.lineage import Data

__all__ = ["CloseBulkCreateActivitiesOperator", "CloseUpsertLeadsOperator"]


class _CloseBulkOperator(CloseLineageMixin, CloseBaseOperator):
    """Inputs, result file, failure threshold and concurrency shared by the bulk operators.

    OpenLineage: reads the ``sql`` tables (common-sql's lineage) or the ``file``; writes
    ``close://<organization_id>`` :attr:`lineage_object_types` (not on a dry run) and the
    result file.
    """

    #: The Close datasets the operator writes (OpenLineage names).
    lineage_object_types: tuple[str, ...] = ("lead",)
    #: The ``dry_run`` argument. Not stored as ``self.dry_run``: that would hide Airflow's
    #: own ``BaseOperator.dry_run()`` method.
    plan_only = False

    template_fields: Sequence[str] = (
        "close_conn_id",
        "rows",
        "sql",
        "sql_conn_id",
        "file",
        "result_path",
    )

    def __init__(
        self,
        *,
        rows: list[dict[str, Any]] | str | None = None,
        sql: str | None = None,
        sql_conn_id: str | None = None,
        file: str | None = None,
        file_format: FileFormat | None = None,
        result_path: str | None = None,
        max_concurrency: int = 8,
        max_failed_rows: int | None = 0,
        max_failed_ratio: float | None = None,
        progress_interval: float = 5.0,
        **kwargs: Any,
    ) -> None:

        super().__init__(**kwargs)
        self.rows = rows
        self.sql = sql
        self.sql_conn_id = sql_conn_id
        self.file = file
        self.file_format = file_format
        self.result_path = result_path
        self.max_concurrency = max_concurrency
        self.threshold = FailureThreshold(max_failed_rows, max_failed_ratio)
        self.progress_interval = progress_interval

    def _stream(self) -> Iterable[Any]:
        """Return the input rows, read lazily (SQL and files are streamed)."""
        from airflow_provider_close.bulk.airflow_sources import stream_rows

        if isinstance(self.rows, str):
            raise ValueError("rows rendered to a string; use render_template_as_native_obj=True")
        return stream_rows(
            rows=self.rows,
            sql=self.sql,
            sql_conn_id=self.sql_conn_id,
            file=self.file,
            file_format=self.file_format,
        )

    def _input_rows(self) -> list[Any]:
        """Return every input row (for the engines that are not batched)."""
        return list(self._stream())

    def _stop_signal(self) -> StopSignal:
        """Return this execution's stop signal (created here, never in ``__init__``)."""
        from airflow_provider_close.bulk.stop import StopSignal

        stop = self.__dict__["_close_stop"] = StopSignal()
        return stop

    def _requested_stop(self) -> StopSignal | None:
        """Return this execution's stop signal, if ``execute`` made one."""
        from airflow_provider_close.bulk.stop import StopSignal

        stop = self.__dict__.get("_close_stop")
        return stop if isinstance(stop, StopSignal) else None

    def on_kill(self) -> None:
        """Stop the bulk run cleanly: rows in flight finish, no new row is sent.

        Called by Airflow (from the task's SIGTERM handler) when the task is killed. The run
        then ends its result file (``not_attempted`` rows, lead creates left ``unknown``,
        a last ``{"stopped": true, ...}`` line) and the task fails; a re-run resumes
        idempotently (every key is looked up before anything is sent).
        """
        stop = self._requested_stop()
        if stop is not None:
            self.log.warning("Stop requested: rows in flight finish, no new row is sent")
            stop.request("task killed (on_kill)")

    def _fail_if_stopped(self, results: ResultFile) -> None:
        """After a stop: end the result file with the stop line and fail the task."""
        from airflow_provider_close.bulk.stop import stop_record

        stop = self._requested_stop()
        if stop is None or not stop.requested:
            return
        record = stop_record(stop, results.tally.counts)
        results.close_with(record)
        raise AirflowException(
            f"bulk run stopped ({stop.reason}): {record['rows_done']} rows done, "
            f"{record['rows_not_attempted']} not attempted, {record['rows_unknown']} "
            f"unknown; see {results.path}"
        )

    def lineage_datasets(self, task_instance: Any | None) -> tuple[list[Data], list[Data]]:
        """Return the input (SQL tables or file), Close's objects and the result file."""
        from airflow_provider_close.bulk.airflow_sources import default_result_path
        from airflow_provider_close.lineage import CloseData, FileData, SqlData

        inputs: list[Data] = []
        if self.sql and self.sql_conn_id:
            inputs.append(SqlData(self.sql_conn_id, self.sql))
        elif self.file:
            inputs.append(FileData(self.file))
        written = () if self.plan_only else self.lineage_object_types
        outputs: list[Data] = [CloseData(object_type) for object_type in written]
        result_path = self.result_path
        if result_path is None and task_instance is not None:
            ids = (task_instance.dag_id, task_instance.task_id, task_instance.run_id)
            result_path = default_result_path(*ids)
        if result_path:
            outputs.append(FileData(result_path))
        return inputs, outputs

    def _result_target(self, context: Context) -> str | Openable:
        from airflow_provider_close.bulk.airflow_sources import default_result_path, storage_target

        dag_id = str(getattr(context.get("dag"), "dag_id", "dag"))
        run_id = str(context.get("run_id", "manual"))
        path = self.result_path or default_result_path(dag_id, self.task_id, run_id)
        return storage_target(path)

    def _finish(self, context: Context, run: UpsertRun, *, dry_run: bool) -> SyncSummary:
        from airflow_provider_close.bulk.results import ResultFile

        with ResultFile(self._result_target(context)) as results:
            results.add(run.results)
            self._fail_if_stopped(results)
        return self._summary(results, run, dry_run=dry_run)

    def _summary(self, results: ResultFile, run: UpsertRun, *, dry_run: bool) -> SyncSummary:
        """Return the XCom summary of a finished run (raises past the failure threshold)."""
        summary = results.tally.summary(
            result_path=results.path,
            duration_seconds=run.elapsed,
            dry_run=dry_run,
            rate_limited=run.rate_limited,
        )
        return self._conclude(summary, dry_run=dry_run)

    def _conclude(self, summary: SyncSummary, *, dry_run: bool) -> SyncSummary:
        written = summary["result_path"]
        self.log.info("Bulk run finished: %s; per-row results in %s", summary["counts"], written)
        reason = self.threshold.crossed_by(summary["counts"], summary["total"])
        if reason is not None and not dry_run:
            raise AirflowException(f"failure threshold crossed: {reason}; see {written}")
        return summary


class _CloseUpsertOperator(_CloseBulkOperator):
    """Match key, dry run, settle window and sync mode shared by the upsert operators."""

    template_fields: Sequence[str] = (*_CloseBulkOperator.template_fields, "mapping", "match_key")
    #: The settle window's clock (the real one; tests inject the sandbox's).
    settle_clock: ClassVar[Clock] = SystemClock()

    def __init__(
        self,
        *,
        mapping: dict[str, Any],
        match_key: str,
        dry_run: bool = False,
        settle_seconds: float = DEFAULT_SETTLE_SECONDS,
        mode: SyncMode = "upsert",
        fill_only_when_empty: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:

        super().__init__(**kwargs)
        self.mapping = mapping
        self.match_key = match_key
        self.plan_only = dry_run
        self.settle_seconds = checked_settle_seconds(settle_seconds)
        self.mode: SyncMode = check_mode(mode)
        self.fill_only_when_empty = (
            None if fill_only_when_empty is None else list(fill_only_when_empty)
        )

    def _fill_only(self, standard: Sequence[str], custom: Sequence[str]) -> None:
        """Check ``fill_only_when_empty`` against the mapping, before any request."""
        from airflow_provider_close.bulk.modes import fill_only_keys

        fill_only_keys(self.fill_only_when_empty, standard, {name: name for name in custom})

    def _upsert_children(
        self,
        context: Context,
        rows: list[Any],
        kind: ChildKind,
        parent: ParentLeads,
        options: UpsertOptions,
    ) -> SyncSummary:
        """Run the contact or opportunity upsert (``bulk/child_engine.py``); return the summary."""
        from airflow_provider_close.bulk.child_engine import upsert_children

        client = self.hook.new_async_client()  # connection read before the loop starts

        async def run() -> UpsertRun:
            async with client:
                return await upsert_children(client, rows, kind, parent, options=options)

        return self._finish(context, asyncio.run(run()), dry_run=self.plan_only)

    def _options(
        self, context: Context, standard: Sequence[str], custom_keys: dict[str, str]
    ) -> UpsertOptions:
        from airflow_provider_close.bulk.engine import UpsertOptions
        from airflow_provider_close.bulk.modes import PlanRules, fill_only_keys

        fill_only = fill_only_keys(self.fill_only_when_empty, standard, custom_keys)
        return UpsertOptions(
            dry_run=self.plan_only,
            max_concurrency=self.max_concurrency,
            progress_interval=self.progress_interval,
            settle_seconds=self.settle_seconds,
            lost_before=retry_started(context, self.settle_clock),
            clock=self.settle_clock,
            rules=PlanRules(self.mode, fill_only),
            stop=self._stop_signal(),
        )


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
    :param max_concurrency: rows in flight at most (the live rate budget may lower it).
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
    :param max_concurrency: rows in flight at most.
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
