"""List any Close resource to XCom (bounded) or to a newline-delimited JSON file (any volume).

One operator, :class:`CloseListOperator`, serves every resource through the extraction engine
(:mod:`airflow_provider_close.extraction`): date-windowed and walked by keyset where Close has
a date filter (leads and contacts through Advanced Filtering), so a list deeper than Close's
maximum ``_skip`` comes back complete, in ascending (``date_created``, id) order, and every
object that exists for the whole walk comes back exactly once while Close changes. The named
operators below only turn keyword arguments into filters.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, TypedDict

from airflow.sdk import Context, ObjectStoragePath

from airflow_provider_close.lineage import CloseLineageMixin
from airflow_provider_close.operators._base import CloseLeadOperator, push_lead_id
from airflow_provider_close.operators.extract import write_atomically
from airflow_provider_close.operators.reads_filters import ListQuery, list_query

if TYPE_CHECKING:
    from airflow_provider_close.client import JSONObject
    from airflow_provider_close.lineage import Data

__all__ = ["DEFAULT_MAX_ITEMS", "CloseListOperator", "ListFileResult"]

#: Default bound on the objects a list may push to XCom.
DEFAULT_MAX_ITEMS = 1000


class ListFileResult(TypedDict):
    """What a list written to a file pushes to XCom.

    ``path``: where the NDJSON was written. ``count``: objects written. ``resource``: the
    extraction resource. ``requests``, ``windows``, ``rows_reread``, ``duplicates_dropped``:
    the extraction engine's counters (``rows_reread``: rows read again at a keyset page
    boundary, written once).
    """

    path: str
    count: int
    resource: str
    requests: int
    windows: int
    rows_reread: int
    duplicates_dropped: int


class CloseListOperator(CloseLineageMixin, CloseLeadOperator):
    """List a Close resource, filtered and optionally date-windowed.

    Without ``output_path`` the objects go to XCom as a list, at most ``max_items`` of them: a
    longer list fails (``ClosePaginationLimitError``) rather than being cut short. With
    ``output_path`` they are streamed, one JSON object per line, to a local path or an object
    storage URL (``s3://…``, ``file://…``), with flat memory whatever the volume; XCom then gets
    ``{"path", "count", ...}`` (:class:`ListFileResult`). The file appears only when complete;
    that summary becomes the ``extra`` of the events of its Asset ``outlets``. OpenLineage:
    reads ``close://<organization_id>`` ``<resource>``, writes the file (if any).

    :param resource: ``lead``, ``contact``, ``opportunity``, ``task``, ``activity``,
        ``activity.<call|sms|note|email|meeting>``, ``user``, ``lead_status``,
        ``opportunity_status`` or ``custom_field.<lead|contact|opportunity|
        activity>`` (templated).
    :param filters: Close's list filters for the resource, e.g. ``{"lead_id": ...}``; ``__in``
        filters take lists; checked before any request (templated).
    :param start: inclusive start of the ``date_created`` window (date, aware datetime or ISO
        8601 text); for activities, tasks, opportunities, leads and contacts (templated).
    :param end: exclusive end of that window (templated).
    :param output_path: write NDJSON here instead of returning the objects (templated).
    :param max_items: the most objects XCom may receive (templated).
    :param fields: return only these fields (Close's ``_fields``; ``id`` and ``date_created``
        are always included) (templated).
    :param storage_conn_id: the Airflow connection of the object store, if the URL needs one.
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "resource",
        "filters",
        "start",
        "end",
        "output_path",
        "max_items",
        "fields",
        *CloseLeadOperator.template_fields,
    )
    template_fields_renderers = {"filters": "json"}

    def __init__(
        self,
        *,
        resource: str,
        filters: dict[str, Any] | None = None,
        start: Any = None,
        end: Any = None,
        output_path: str | None = None,
        max_items: int | str = DEFAULT_MAX_ITEMS,
        fields: list[str] | None = None,
        storage_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.fields = fields
        self.storage_conn_id = storage_conn_id
        self.resource = resource
        self.filters = filters
        self.start = start
        self.end = end
        self.output_path = output_path
        self.max_items = max_items

    def execute(self, context: Context) -> list[JSONObject] | ListFileResult:
        """List the resource; XCom gets the objects, or ``{"path", "count", ...}`` for a file."""
        from airflow_provider_close.assets import record_file_events
        from airflow_provider_close.client.payloads.scalars import bounded_int
        from airflow_provider_close.client.payloads.text import required_text

        query = list_query(self.resource, self.filters, self.start, self.end, self.fields)
        lead_id = query.spec.params.get("lead_id")
        if self.output_path is None:
            bound = bounded_int("max_items", self.max_items, minimum=1)
            push_lead_id(context, lead_id)
            return self._bounded_rows(query, bound)
        output = required_text("output_path", self.output_path).strip()
        path = ObjectStoragePath(output, conn_id=self.storage_conn_id)
        push_lead_id(context, lead_id)
        result = self._write(query, path)
        record_file_events(context, self.outlets, result)
        return result

    def lineage_datasets(self, task_instance: Any | None) -> tuple[list[Data], list[Data]]:  # noqa: ARG002
        """Return the resource read and the file written, if any (OpenLineage)."""
        from airflow_provider_close.lineage import CloseData, FileData

        outputs: list[Data] = []
        if self.output_path:
            outputs.append(FileData(str(self.output_path).strip(), self.storage_conn_id))
        return [CloseData(str(self.resource))], outputs

    def _bounded_rows(self, query: ListQuery, bound: int) -> list[JSONObject]:
        """Return at most ``bound`` objects, or raise if the list holds more."""
        from airflow_provider_close.client import ClosePaginationLimitError
        from airflow_provider_close.extraction import iter_extract

        rows = iter_extract(self.hook.client, query.spec, query.start, query.end)
        items = list(islice(rows, bound + 1))
        if len(items) > bound:
            raise ClosePaginationLimitError("GET", query.spec.path, bound)
        self.log.info("Listed %d %s objects", len(items), query.spec.name)
        return items

    def _write(self, query: ListQuery, path: ObjectStoragePath) -> ListFileResult:
        """Stream the list to ``path`` through a temporary file moved into place on success."""
        from airflow_provider_close.extraction import extract_to_stream

        client = self.hook.client
        result = write_atomically(
            path,
            lambda stream: extract_to_stream(client, query.spec, query.start, query.end, stream),
        )
        self.log.info("Wrote %d %s objects to %s", result["rows"], query.spec.name, path)
        return ListFileResult(
            path=str(path),
            count=result["rows"],
            resource=result["resource"],
            requests=result["requests"],
            windows=result["windows"],
            rows_reread=result["rows_reread"],
            duplicates_dropped=result["duplicates_dropped"],
        )
