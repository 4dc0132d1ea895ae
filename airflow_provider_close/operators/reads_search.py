"""Search leads with Close's Advanced Filtering (``POST /data/search/``), bounded, to XCom.

Advanced Filtering is the only way Close filters leads on custom fields, related contacts or
date ranges (close-api.md §8). A search walks a cursor of at most 10 000 results, so it always
has a bound; for larger volumes, list leads to a file with ``CloseListLeadsOperator``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from airflow.sdk import Context

from airflow_provider_close.operators._base import CloseBaseOperator

if TYPE_CHECKING:
    from airflow_provider_close.client import JSONObject

__all__ = [
    "DEFAULT_LEAD_FIELDS",
    "MAX_SEARCH_RESULTS",
    "CloseSearchLeadsOperator",
    "lead_search_body",
]

#: Close stops one cursor walk after this many results (close-api.md §5).
MAX_SEARCH_RESULTS: Final = 10_000
#: Lead fields returned when none are asked for (Close returns only ids without ``_fields``).
DEFAULT_LEAD_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "name",
    "display_name",
    "status_id",
    "status_label",
    "date_created",
    "date_updated",
)
_NODE_ALLOWED: Final = "an Advanced Filtering query node, e.g. {'type': 'text', 'value': 'acme'}"


def _checked_fields(fields: object) -> list[str]:
    from airflow_provider_close.client import ClosePayloadError
    from airflow_provider_close.client.payloads.text import required_text

    if fields is None:
        return list(DEFAULT_LEAD_FIELDS)
    if isinstance(fields, str) or not isinstance(fields, Sequence) or not fields:
        raise ClosePayloadError("search.fields", fields, "a non-empty list of lead field names")
    return [required_text(f"search.fields[{i}]", name).strip() for i, name in enumerate(fields)]


def _checked_sort(sort: object) -> list[Any]:
    from airflow_provider_close.client import ClosePayloadError

    if sort is None:
        return []
    if not isinstance(sort, Sequence) or isinstance(sort, str):
        raise ClosePayloadError("search.sort", sort, "a list of {'direction', 'field'} objects")
    for index, item in enumerate(sort):
        if not isinstance(item, Mapping) or item.get("direction") not in ("asc", "desc"):
            allowed = "{'direction': 'asc' | 'desc', 'field': {...}}"
            raise ClosePayloadError(f"search.sort[{index}]", item, allowed)
    return list(sort)


def lead_search_body(query: object, fields: object = None, sort: object = None) -> JSONObject:
    """Return the ``/data/search/`` body finding leads that match ``query``, or raise.

    The query is wrapped in ``and`` with an ``object_type: lead`` node, so contacts never match.

    :param query: an Advanced Filtering query node (a mapping with a ``type``).
    :param fields: lead fields to return; default :data:`DEFAULT_LEAD_FIELDS`.
    :param sort: Close's ``sort`` list, e.g. ``[{"direction": "asc", "field": {...}}]``.
    """
    from airflow_provider_close.client import ClosePayloadError

    if not isinstance(query, Mapping) or not isinstance(query.get("type"), str):
        raise ClosePayloadError("search.query", query, _NODE_ALLOWED)
    leads_only = {"type": "object_type", "object_type": "lead"}
    body: JSONObject = {
        "query": {"type": "and", "queries": [leads_only, dict(query)]},
        "_fields": {"lead": _checked_fields(fields)},
    }
    checked_sort = _checked_sort(sort)
    if checked_sort:
        body["sort"] = checked_sort
    return body


class CloseSearchLeadsOperator(CloseBaseOperator):
    """Find leads with an Advanced Filtering query; XCom gets the list of matching leads.

    More than ``max_items`` matches fail (``ClosePaginationLimitError``) rather than being cut.

    :param query: the Advanced Filtering query node (templated).
    :param fields: lead fields to return (default id, names, status, dates) (templated).
    :param sort: Close's ``sort`` list (templated).
    :param max_items: the most leads XCom may receive, at most 10 000 (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "query",
        "fields",
        "sort",
        "max_items",
        *CloseBaseOperator.template_fields,
    )
    template_fields_renderers = {"query": "json", "sort": "json"}

    def __init__(
        self,
        *,
        query: dict[str, Any],
        fields: list[str] | None = None,
        sort: list[dict[str, Any]] | None = None,
        max_items: int | str = 1000,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.query = query
        self.fields = fields
        self.sort = sort
        self.max_items = max_items

    def execute(self, context: Context) -> list[JSONObject]:  # noqa: ARG002
        """Run the search; XCom gets the leads (each with ``__object_type`` and the fields)."""
        from airflow_provider_close.client.payloads.scalars import bounded_int

        body = lead_search_body(self.query, self.fields, self.sort)
        bound = bounded_int("max_items", self.max_items, minimum=1, maximum=MAX_SEARCH_RESULTS)
        leads = list(self.hook.client.iter_search(body, max_items=bound))
        self.log.info("Found %d leads", len(leads))
        return leads
