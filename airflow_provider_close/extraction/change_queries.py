"""The Close queries behind change extraction, one :data:`KeysetFetch` per source (no Airflow).

* leads, contacts: Advanced Filtering (``/lead/`` and ``/contact/`` have no date filter, §9b),
  ``moment_range`` on ``date_updated`` sorted ascending; continued by the search cursor;
* opportunities: ``date_updated__gte/__lt`` with ``_order_by=date_updated``;
* tasks: ``date_updated__gte/__lt`` (tasks cannot be ordered by it, §5), keyset on
  ``date_created`` (``_order_by=date_created``);
* activities of one type: ``date_created`` keyset on ``/activity/<type>/`` (Close has no
  ``date_updated`` filter on activities, close-openapi.yml).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from airflow_provider_close.client.paginators import SEARCH_PATH
from airflow_provider_close.client.resources import max_page_size
from airflow_provider_close.client.sync import CloseClient
from airflow_provider_close.client.timestamps import format_moment
from airflow_provider_close.extraction.keyset import KeysetFetch, KeysetPage
from airflow_provider_close.extraction.windows import Window

__all__ = ["ChangesClient", "list_fetch", "search_fetch", "search_fields"]

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


#: Change extraction types against the real client (no Protocol mirroring it).
ChangesClient = CloseClient


def list_fetch(
    client: ChangesClient,
    path: str,
    key_field: str,
    fixed: Mapping[str, str],
    end: datetime | None,
) -> KeysetFetch:
    """Return a fetch of an offset list ordered by ``key_field``, ``key_field < end``.

    :param client: a Close client.
    :param path: e.g. ``opportunity/``.
    :param key_field: the date field to order and bound by.
    :param fixed: filters every request carries.
    :param end: exclusive upper bound on ``key_field``, or None.
    """
    size = max_page_size(path)

    def fetch(lower: datetime | None, continuation: object) -> KeysetPage:
        params: dict[str, Any] = {**fixed, "_order_by": key_field, "_limit": size}
        if lower is not None:
            params[f"{key_field}__gte"] = format_moment(lower)
        if end is not None:
            params[f"{key_field}__lt"] = format_moment(end)
        skip = int(continuation) if isinstance(continuation, int) else 0
        if skip:
            params["_skip"] = skip
        page = client.get(path, params)
        items = list(page.get("data") or [])
        return KeysetPage(items, bool(page.get("has_more")), skip + len(items))

    return fetch


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


def search_fetch(
    client: ChangesClient, object_type: str, window: Window, fields: Sequence[str]
) -> KeysetFetch:
    """Return a fetch of leads or contacts with ``date_updated`` in the window, ascending.

    :param client: a Close client.
    :param object_type: ``lead`` or ``contact``.
    :param window: ``[start, end)`` on ``date_updated`` (the fetch's lower bound overrides
        the start).
    :param fields: ``_fields`` of each result (see :func:`search_fields`).
    """
    size = max_page_size(SEARCH_PATH)
    sort_field = {"type": "regular_field", "object_type": object_type, "field_name": "date_updated"}

    def fetch(lower: datetime | None, continuation: object) -> KeysetPage:
        query = {
            "type": "and",
            "queries": [
                {"type": "object_type", "object_type": object_type},
                _date_condition(object_type, lower or window.start, window.end),
            ],
        }
        body: JSONObject = {
            "query": query,
            "sort": [{"direction": "asc", "field": sort_field}],
            "_fields": {object_type: list(fields)},
            "_limit": size,
        }
        if continuation is not None:
            body["cursor"] = continuation
        page = client.post(SEARCH_PATH, body, retry_safe=True)
        items = [_without_type(row) for row in page.get("data") or []]
        cursor = page.get("cursor")
        return KeysetPage(items, cursor is not None, cursor)

    return fetch


def _without_type(row: Mapping[str, Any]) -> JSONObject:
    return {key: value for key, value in row.items() if key != "__object_type"}
