"""What the bulk operators share: inputs, result file, failure threshold, lineage and upserts.

:class:`_CloseBulkOperator` reads the input (rows, SQL through any Airflow SQL connection, or
a JSONL/CSV file, local or ``ObjectStoragePath``), writes the per-row result file and the XCom
summary, and fails past the failure threshold; :class:`_CloseUpsertOperator` adds the match
key, dry run, settle window and sync mode of the upserts. Stopping is
``operators/bulk_stop.py``'s. See ``docs/bulk.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import Context
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.bulk.modes import check_mode
from airflow_provider_close.bulk.results import FailureThreshold
from airflow_provider_close.idempotency.rule import DEFAULT_SETTLE_SECONDS, Clock, SystemClock
from airflow_provider_close.lineage import CloseLineageMixin
from airflow_provider_close.operators._base import checked_settle_seconds, retry_started
from airflow_provider_close.operators.bulk_stop import _CloseStoppableOperator

if TYPE_CHECKING:
    from airflow_provider_close.bulk.engine import UpsertOptions, UpsertRun
    from airflow_provider_close.bulk.modes import SyncMode
    from airflow_provider_close.bulk.readers import FileFormat
    from airflow_provider_close.bulk.results import Openable, ResultFile, SyncSummary
    from airflow_provider_close.lineage import Data

__all__: list[str] = []


class _CloseBulkOperator(CloseLineageMixin, _CloseStoppableOperator):
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
        max_concurrency: int = 64,
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
