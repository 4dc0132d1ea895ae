"""Change data capture to NDJSON: the objects changed in an interval, and the ones deleted.

:class:`CloseExtractChangesOperator` writes every object of one type whose ``date_updated``
is in ``[start, end)``; :class:`CloseExtractTombstonesOperator` writes one line per object of
one type deleted (or merged away) in it. The work is done by
:mod:`airflow_provider_close.extraction.changes` and
:mod:`~airflow_provider_close.extraction.tombstones`; both files are written atomically and
identically on every re-run of an interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO, TypedDict

from airflow.sdk import Context, ObjectStoragePath

from airflow_provider_close.extraction.changes import CHANGE_TYPES
from airflow_provider_close.extraction.tombstones import TOMBSTONE_TYPES
from airflow_provider_close.lineage import CloseLineageMixin
from airflow_provider_close.operators._base import CloseBaseOperator
from airflow_provider_close.operators.extract import resolve_interval, write_atomically
from airflow_provider_close.watch.activity_query import is_templated

if TYPE_CHECKING:
    from airflow_provider_close.extraction.windows import Window
    from airflow_provider_close.lineage import Data

__all__ = [
    "ChangesResult",
    "CloseExtractChangesOperator",
    "CloseExtractTombstonesOperator",
]


class ChangesResult(TypedDict):
    """What both operators push to XCom (return value).

    :param path: where the NDJSON file was written.
    :param object_type: the object type extracted.
    :param start: inclusive start of the interval (ISO, UTC).
    :param end: exclusive end of the interval (ISO, UTC).
    :param rows: lines written.
    """

    path: str
    object_type: str
    start: str
    end: str
    rows: int


def _checked_type(value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValueError(f"object_type must be one of {list(allowed)}, got {value!r}")
    return value


class _IntervalFileOperator(CloseLineageMixin, CloseBaseOperator):
    """Shared parameters: one object type, one interval, one NDJSON file.

    The result becomes the ``extra`` of the events of the Asset ``outlets``. OpenLineage:
    reads ``close://<organization_id>`` ``<object_type>``, writes the file.
    """

    template_fields: Sequence[str] = ("close_conn_id", "path", "object_type", "start", "end")
    allowed_types: Sequence[str] = ()

    def __init__(
        self,
        *,
        path: str,
        object_type: str,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:

        super().__init__(**kwargs)
        self.path = path
        self.object_type = object_type
        if not is_templated(object_type):
            _checked_type(object_type, self.allowed_types)  # fail when the DAG is parsed
        self.start = start
        self.end = end
        self.storage_conn_id = storage_conn_id

    def _window(self, context: Context) -> Window:
        from airflow_provider_close.extraction.windows import Window

        _checked_type(self.object_type, self.allowed_types)
        return Window(*resolve_interval(self.start, self.end, context))

    def lineage_datasets(self, task_instance: Any | None) -> tuple[list[Data], list[Data]]:  # noqa: ARG002
        """Return the object type read and the file written (OpenLineage)."""
        from airflow_provider_close.lineage import CloseData, FileData

        return [CloseData(self.object_type)], [FileData(self.path, self.storage_conn_id)]

    def _landed(self, context: Context, result: ChangesResult) -> ChangesResult:
        """Put the result into the Asset outlets' events; return it."""
        from airflow_provider_close.assets import record_file_events

        record_file_events(context, self.outlets, result)
        return result

    def _result(self, target: ObjectStoragePath, window: Window, rows: int) -> ChangesResult:
        from airflow_provider_close.client.timestamps import format_moment

        assert window.start is not None
        assert window.end is not None
        self.log.info("Wrote %s %s lines to %s", rows, self.object_type, target)
        return ChangesResult(
            path=str(target),
            object_type=self.object_type,
            start=format_moment(window.start),
            end=format_moment(window.end),
            rows=rows,
        )


class CloseExtractChangesOperator(_IntervalFileOperator):
    """Write every object of one type whose ``date_updated`` is in ``[start, end)`` to NDJSON.

    One object per line as Close returns it (sorted keys), ascending ``date_updated`` (tasks
    and activities: see :func:`~airflow_provider_close.extraction.changes.iter_changes`);
    re-running an interval writes the same file. Exact while Close is edited (keyset walks,
    no ``_skip``/cursor bound). Leads and contacts come from Advanced Filtering, which trails
    writes: run an interval once it has ended (a daily schedule does). Configuration types
    (``user``, statuses, ``pipeline``, ``custom_field.*``) are written whole, whatever the
    interval. Activity and custom object intervals must start within the event log's 30 days.
    Pushes :class:`ChangesResult` to XCom.

    :param path: destination file: local path or any ``ObjectStoragePath`` URL (templated).
    :param object_type: one of ``lead, contact, opportunity, task, activity.call,
        activity.sms, activity.note, activity.email, activity.meeting, activity.custom,
        custom_object, user, lead_status, opportunity_status, pipeline, custom_activity_type,
        custom_object_type, custom_field.{lead,contact,opportunity,activity}``.
    :param start: inclusive start; default the run's ``data_interval_start`` (templated).
    :param end: exclusive end; default the run's ``data_interval_end`` (templated).
    :param storage_conn_id: Airflow connection for the object store, if the URL needs one.
    :param close_conn_id: Airflow connection to Close (templated).
    """

    allowed_types = CHANGE_TYPES

    def execute(self, context: Context) -> ChangesResult:
        """Write the interval's changes; return the counts (pushed to XCom)."""
        from airflow_provider_close.extraction.changes import iter_changes
        from airflow_provider_close.extraction.keyset import KeysetStats
        from airflow_provider_close.extraction.ndjson import json_line

        window = self._window(context)
        target = ObjectStoragePath(self.path, conn_id=self.storage_conn_id)
        client = self.hook.client
        stats = KeysetStats()

        def write(stream: TextIO) -> int:
            rows = 0
            for row in iter_changes(client, self.object_type, window, stats):
                stream.write(json_line(row))
                rows += 1
            return rows

        return self._landed(context, self._result(target, window, write_atomically(target, write)))


class CloseExtractTombstonesOperator(_IntervalFileOperator):
    """Write one line per object of one type deleted in ``[start, end)`` (from the event log).

    Each line: ``{"object_type", "id", "deleted_at", "merged_into", "event_id"}``;
    ``merged_into`` is the destination lead when a lead was merged away. Ordered by
    (``deleted_at``, ``id``), one line per object, so every re-run writes the same file and a
    deletion lands in exactly one interval. Close's events may appear up to 5 minutes late: an
    interval that ended less than 5 minutes ago is deferred (no worker slot) until then. An
    interval starting before the log's 30-day retention fails before any request; load that
    history with :class:`~airflow_provider_close.operators.export.CloseExportOperator`.
    Pushes :class:`ChangesResult` to XCom.

    :param path: destination file: local path or any ``ObjectStoragePath`` URL (templated).
    :param object_type: one of ``lead, contact, opportunity, task, activity.call,
        activity.sms, activity.note, activity.email, activity.meeting, activity.custom,
        custom_object``.
    :param start: inclusive start; default the run's ``data_interval_start`` (templated).
    :param end: exclusive end; default the run's ``data_interval_end`` (templated).
    :param storage_conn_id: Airflow connection for the object store, if the URL needs one.
    :param close_conn_id: Airflow connection to Close (templated).
    """

    allowed_types = tuple(TOMBSTONE_TYPES)

    def execute(self, context: Context) -> ChangesResult:
        """Write the interval's tombstones (deferring until late events settled)."""
        from airflow_provider_close.extraction.retention import check_retention, settled_at

        window = self._window(context)
        check_retention(window, None, what=f"{self.object_type} deletions")
        ready = settled_at(window)
        if ready is not None and ready > datetime.now(UTC):
            from airflow.providers.standard.triggers.temporal import DateTimeTrigger

            self.log.info("Waiting until %s for late events of the interval", ready)
            self.defer(trigger=DateTimeTrigger(moment=ready), method_name="execute_complete")
        return self._landed(context, self._write(window))

    def execute_complete(self, context: Context, event: Any = None) -> ChangesResult:  # noqa: ARG002
        """Resume after the wait for late events; write the tombstones."""
        return self._landed(context, self._write(self._window(context)))

    def _write(self, window: Window) -> ChangesResult:
        from airflow_provider_close.extraction.ndjson import json_line
        from airflow_provider_close.extraction.tombstones import tombstones

        target = ObjectStoragePath(self.path, conn_id=self.storage_conn_id)
        stones = tombstones(self.hook.client, self.object_type, window)

        def write(stream: TextIO) -> int:
            for stone in stones:
                stream.write(json_line(dict(stone)))
            return len(stones)

        return self._result(target, window, write_atomically(target, write))
