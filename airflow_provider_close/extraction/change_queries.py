"""The Close queries behind change extraction, one page walk per source (no Airflow).

Every walk is the client's keyset walk (:mod:`airflow_provider_close.client.keyset`): it
resumes each page at the last key value read, drops what it already yielded, and learns the
page size Close allows (``max_limit = N``), so the result is exact while Close changes.

* leads, contacts: Advanced Filtering (``/lead/`` and ``/contact/`` have no date filter, §9b),
  ``moment_range`` on ``date_updated``, sorted ascending on it (keyset on ``date_updated``);
* opportunities: ``date_updated__gte/__lt`` with ``_order_by=date_updated``;
* tasks: ``date_updated__gte/__lt`` (tasks cannot be ordered by it, §5), keyset on
  ``date_created`` (``_order_by=date_created``);
* activities of one type: ``date_created`` keyset on ``/activity/<type>/`` (Close has no
  ``date_updated`` filter on activities, close-openapi.yml).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_close.client.pagination import Page
from airflow_provider_close.client.timestamps import format_moment
from airflow_provider_close.extraction.windows import Window

if TYPE_CHECKING:
    from airflow_provider_close.client.sync import CloseClient

__all__ = ["date_bounds", "list_pages", "search_fields", "search_pages"]

JSONObject = dict[str, Any]

#: Fields of a lead / contact as Close returns them (close-api.md §6.1, §6.2); custom field
#: keys are added from the organisation's definitions. Advanced Filtering returns only the
#: ``_fields`` asked for.
SEARCH_FIELDS: Mapping[str, tuple[str, ...]] = {
    "lead": (
        "id", "name", "display_name", "description", "url", "status_id", "status_label",
        "contacts", "opportunities", "tasks", "addresses", "html_url", "integration_links",
        "organization_id", "created_by", "created_by_name", "updated_by", "updated_by_name",
        "date_created", "date_updated",
    ),
    "contact": (
        "id", "lead_id", "organization_id", "name", "display_name", "title", "emails",
        "phones", "urls", "integration_links", "created_by", "created_by_name", "updated_by",
        "updated_by_name", "date_created", "date_updated",
    ),
}  # fmt: skip


def date_bounds(field: str, window: Window) -> dict[str, str]:
    """Return the ``<field>__gte`` / ``<field>__lt`` filters of ``window``.

    :param field: e.g. ``date_updated``.
    :param window: ``[start, end)``.
    """
    bounds = {}
    if window.start is not None:
        bounds[f"{field}__gte"] = format_moment(window.start)
    if window.end is not None:
        bounds[f"{field}__lt"] = format_moment(window.end)
    return bounds


def list_pages(
    client: CloseClient,
    path: str,
    key_field: str,
    fixed: Mapping[str, str],
    window: Window,
) -> Iterator[Page]:
    """Return the keyset walk of an offset list ordered by ``key_field`` within ``window``.

    :param client: a Close client.
    :param path: e.g. ``opportunity/``.
    :param key_field: the date field to order and bound by (a keyset field of ``path``).
    :param fixed: filters every request carries.
    :param window: ``[start, end)`` on ``key_field``.
    """
    params = {**fixed, "_order_by": key_field, **date_bounds(key_field, window)}
    return client.iter_pages(path, params)


def _date_condition(object_type: str, lower: datetime | None, end: datetime | None) -> JSONObject:
    condition: JSONObject = {"type": "moment_range"}
    if lower is not None:
        condition["on_or_after"] = {"type": "fixed_utc", "value": format_moment(lower)}
    if end is not None:
        condition["before"] = {"type": "fixed_utc", "value": format_moment(end)}
    field = {"type": "regular_field", "object_type": object_type, "field_name": "date_updated"}
    return {"type": "field_condition", "field": field, "condition": condition}


def search_fields(object_type: str, custom_field_ids: Sequence[str]) -> list[str]:
    """Return the ``_fields`` that make a search result the object as Close returns it.

    :param object_type: ``lead`` or ``contact``.
    :param custom_field_ids: ``cf_…`` ids of the object type's custom fields.
    """
    return [*SEARCH_FIELDS[object_type], *(f"custom.{cf}" for cf in custom_field_ids)]


def search_pages(
    client: CloseClient, object_type: str, window: Window, fields: Sequence[str]
) -> Iterator[Page]:
    """Return the walk of the leads or contacts with ``date_updated`` in the window, ascending.

    :param client: a Close client.
    :param object_type: ``lead`` or ``contact``.
    :param window: ``[start, end)`` on ``date_updated``.
    :param fields: ``_fields`` of each result (see :func:`search_fields`).
    """
    sort_field = {"type": "regular_field", "object_type": object_type, "field_name": "date_updated"}
    query = {
        "type": "and",
        "queries": [
            {"type": "object_type", "object_type": object_type},
            _date_condition(object_type, window.start, window.end),
        ],
    }
    body: JSONObject = {
        "query": query,
        "sort": [{"direction": "asc", "field": sort_field}],
        "_fields": {object_type: list(fields)},
    }
    for page in client.iter_search_pages(body):
        yield Page([_without_type(row) for row in page.items], page.raw, page.dropped)


def _without_type(row: Mapping[str, Any]) -> JSONObject:
    return {key: value for key, value in row.items() if key != "__object_type"}
