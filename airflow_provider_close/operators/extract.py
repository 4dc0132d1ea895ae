"""Extract Close activities of a date interval to an NDJSON file (local or object storage).

The work is done by :mod:`airflow_provider_close.extraction`; this operator resolves the
interval, validates the activity types and writes the file atomically.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO, TypedDict, TypeVar

from airflow.sdk import Context, ObjectStoragePath

from airflow_provider_close.client.resources import ACTIVITY_TYPES
from airflow_provider_close.lineage import CloseLineageMixin
from airflow_provider_close.operators._base import CloseBaseOperator
from airflow_provider_close.watch.activity_query import is_templated

if TYPE_CHECKING:
    from airflow_provider_close.lineage import Data

__all__ = [
    "CloseExtractActivitiesOperator",
    "ExtractActivitiesResult",
    "atomic_path",
    "resolve_interval",
    "write_atomically",
]

T = TypeVar("T")


class ExtractActivitiesResult(TypedDict):
    """What the operator pushes to XCom (return value).

    :param path: where the NDJSON file was written.
    :param start: inclusive start of the interval (ISO, UTC).
    :param end: exclusive end of the interval (ISO, UTC).
    :param rows: lines written.
    :param counts: lines per activity type.
    :param requests: list requests sent to Close.
    """

    path: str
    start: str
    end: str
    rows: int
    counts: dict[str, int]
    requests: int


def write_atomically(target: ObjectStoragePath, write: Callable[[TextIO], T]) -> T:
    """Run ``write`` on a temporary file beside ``target``, then move it onto ``target``.

    A run killed half-way leaves a ``.tmp`` file, never a partial file under the real name.

    :param target: the final path (local or object storage).
    :param write: writes the content to the stream it is given; its result is returned.
    """
    with atomic_path(target) as temporary:
        opened = temporary.open("w", encoding="utf-8", newline="\n")  # type: ignore[no-untyped-call]
        with opened as stream:
            return write(stream)


@contextmanager
def atomic_path(target: ObjectStoragePath) -> Iterator[ObjectStoragePath]:
    """Yield a temporary path beside ``target``; move it onto ``target`` if the block succeeds.

    On any error the temporary file is removed and ``target`` is left as it was.

    :param target: the final path (local or object storage).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        yield temporary
        temporary.rename(target)
    except BaseException:
        if temporary.exists():
            temporary.unlink()
        raise


class CloseExtractActivitiesOperator(CloseLineageMixin, CloseBaseOperator):
    """Write every activity of the chosen types created in ``[start, end)`` to NDJSON.

    Uses the per-type endpoints (``/activity/call/``...), ascending by (date_created, id)
    within each type, types in the order call, sms, note, email, meeting; one JSON object per
    line with sorted keys, so re-running an interval writes an identical file. Pages are walked
    by keyset (no ``_skip``), so any volume is complete and every activity that exists for the
    whole run is written exactly once even while Close changes; memory stays flat.
    Pushes to XCom :class:`ExtractActivitiesResult` (path, interval, counts per type); the
    same values become the ``extra`` of the events of its Asset ``outlets``. OpenLineage:
    reads ``close://<organization_id>`` ``activity.<type>``, writes the file.

    :param path: destination file: local path or any ``ObjectStoragePath`` URL (templated).
    :param activity_types: types to extract, any of call, sms, note, email, meeting (a list or
        a comma-separated string); default all (templated; checked at DAG parse when literal).
    :param start: inclusive start; default the run's ``data_interval_start`` (templated).
    :param end: exclusive end; default the run's ``data_interval_end`` (templated).
    :param storage_conn_id: Airflow connection for the object store, if the URL needs one.
    :param close_conn_id: Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("close_conn_id", "path", "activity_types", "start", "end")

    def __init__(
        self,
        *,
        path: str,
        activity_types: str | Sequence[str] = ACTIVITY_TYPES,
        start: datetime | str | None = None,
        end: datetime | str | None = None,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:

        super().__init__(**kwargs)
        self.path = path
        self.activity_types = (
            activity_types if isinstance(activity_types, str) else list(activity_types)
        )
        if not is_templated(self.activity_types):
            self._validated_types()  # fail when the DAG is parsed
        self.start = start
        self.end = end
        self.storage_conn_id = storage_conn_id

    def execute(self, context: Context) -> ExtractActivitiesResult:
        """Extract the interval to the file; return the counts (pushed to XCom)."""
        from airflow_provider_close.assets import record_file_events
        from airflow_provider_close.client.timestamps import format_moment
        from airflow_provider_close.extraction import activity_spec, extract_to_stream

        kinds = self._validated_types()
        start, end = self._interval(context)
        target = ObjectStoragePath(self.path, conn_id=self.storage_conn_id)
        client = self.hook.client

        def write(stream: TextIO) -> tuple[dict[str, int], int]:
            results = [
                extract_to_stream(client, activity_spec(k), start, end, stream) for k in kinds
            ]
            counts = {kind: result["rows"] for kind, result in zip(kinds, results, strict=True)}
            return counts, sum(result["requests"] for result in results)

        counts, requests = write_atomically(target, write)
        self.log.info("Wrote %s activities to %s (%s)", sum(counts.values()), target, counts)
        result = ExtractActivitiesResult(
            path=str(target),
            start=format_moment(start),
            end=format_moment(end),
            rows=sum(counts.values()),
            counts=counts,
            requests=requests,
        )
        record_file_events(context, self.outlets, result)
        return result

    def lineage_datasets(self, task_instance: Any | None) -> tuple[list[Data], list[Data]]:  # noqa: ARG002
        """Return the activity types read and the file written (OpenLineage)."""
        from airflow_provider_close.lineage import CloseData, FileData

        inputs: list[Data] = [CloseData(f"activity.{kind}") for kind in self._validated_types()]
        return inputs, [FileData(self.path, self.storage_conn_id)]

    def _validated_types(self) -> list[str]:
        from airflow_provider_close.watch.activity_query import activity_type_names

        names = activity_type_names(self.activity_types)
        if not names or set(names) - set(ACTIVITY_TYPES):
            raise ValueError(
                f"activity_types must be a non-empty subset of {list(ACTIVITY_TYPES)}, "
                f"got {self.activity_types!r}"
            )
        return [kind for kind in ACTIVITY_TYPES if kind in names]

    def _interval(self, context: Context) -> tuple[datetime, datetime]:
        return resolve_interval(self.start, self.end, context)


def _plain(moment: datetime) -> datetime:
    """Return a stdlib UTC datetime (pendulum's arithmetic can drop a stdlib ``UTC`` tzinfo)."""
    utc = moment.astimezone(UTC)
    return datetime(*utc.timetuple()[:6], utc.microsecond, tzinfo=UTC)


def resolve_interval(
    start: datetime | str | None, end: datetime | str | None, context: Context
) -> tuple[datetime, datetime]:
    """Return ``[start, end)`` as aware UTC datetimes, defaulting to the run's data interval.

    :param start: the rendered ``start``, or None for ``data_interval_start``.
    :param end: the rendered ``end``, or None for ``data_interval_end``.
    :param context: the task context.
    :raises ValueError: no interval, or an end before the start (before any request).
    """
    from airflow_provider_close.client.timestamps import to_moment
    from airflow_provider_close.extraction.windows import Window

    lower = start or context.get("data_interval_start")
    upper = end or context.get("data_interval_end")
    if not lower or not upper:
        raise ValueError(
            "no interval: give start and end, or run with a data interval "
            f"(got start={lower!r}, end={upper!r})"
        )
    window = Window(_plain(to_moment(lower)), _plain(to_moment(upper)))  # refuses end < start
    assert window.start is not None
    assert window.end is not None
    return window.start, window.end
