"""Close bulk edits (``/bulk_action/edit/``): start, read, find an earlier one, count the leads.

A bulk edit is asynchronous: ``POST /bulk_action/edit/`` answers at once with ``status``
``created``; ``GET /bulk_action/edit/{id}/`` shows it ``processing`` and finally ``done`` or
``error`` (``paused`` when a user paused it; ``resuming`` after a resume). Bodies are built by
:func:`~airflow_provider_close.client.automation_payloads.bulk_edit_body`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from airflow_provider_close.client.asynchronous import AsyncCloseClient
from airflow_provider_close.client.errors import JSONObject
from airflow_provider_close.client.sync import CloseClient
from airflow_provider_close.client.timestamps import parse_datetime_text

__all__ = [
    "BULK_ACTION_ENDED",
    "BULK_ACTION_STATUSES",
    "BULK_EDIT_PATH",
    "count_matching_leads",
    "find_bulk_edit",
    "get_bulk_edit",
    "get_bulk_edit_async",
    "is_same_bulk_edit",
    "start_bulk_edit",
]

BULK_EDIT_PATH: Final = "bulk_action/edit/"
#: Every ``status`` Close documents for a bulk action (close-openapi.yml ``BulkActionStatus``).
BULK_ACTION_STATUSES: Final = (
    "created",
    "loading",
    "processing",
    "done",
    "paused",
    "resuming",
    "error",
)
#: Statuses after which the bulk action does nothing more on its own.
BULK_ACTION_ENDED: Final = frozenset({"done", "error", "paused"})
#: Fields of a bulk edit that say what it does (compared to find an earlier identical one).
_IDENTITY: Final = (
    "type",
    "s_query",
    "lead_status_id",
    "custom_field_id",
    "custom_field_value",
    "custom_field_values",
    "custom_field_operation",
    "results_limit",
)


def start_bulk_edit(client: CloseClient, body: Mapping[str, Any]) -> JSONObject:
    """Start a bulk edit; return the bulk action (``id``, ``status``...).

    Never re-sent by the client once it may have been applied (a lost answer raises
    ``CloseUnknownOutcomeError``; see :func:`find_bulk_edit`).

    :param client: the client.
    :param body: a body from ``bulk_edit_body``.
    """
    return client.post(BULK_EDIT_PATH, dict(body))


def get_bulk_edit(client: CloseClient, action_id: str) -> JSONObject:
    """Return the bulk edit as Close shows it now.

    :param client: the client.
    :param action_id: the ``bulkedit_…`` id.
    """
    return client.get(f"{BULK_EDIT_PATH}{action_id}/")


async def get_bulk_edit_async(client: AsyncCloseClient, action_id: str) -> JSONObject:
    """Return the bulk edit as Close shows it now (for triggers).

    :param client: the asynchronous client.
    :param action_id: the ``bulkedit_…`` id.
    """
    return await client.get(f"{BULK_EDIT_PATH}{action_id}/")


def _created(action: Mapping[str, Any]) -> datetime | None:
    raw = action.get("date_created")
    if not isinstance(raw, str):
        return None
    moment = parse_datetime_text(raw.strip())
    return moment if moment is not None and moment.tzinfo is not None else None


def is_same_bulk_edit(action: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    """Return whether ``action`` (as Close lists it) does what ``body`` asks.

    A field Close echoes as null or leaves out counts as "not asked for".

    :param action: a listed bulk edit.
    :param body: the body that would be sent.
    """
    return all(action.get(name) == body.get(name) for name in _IDENTITY)


def find_bulk_edit(
    client: CloseClient, body: Mapping[str, Any], created_since: datetime
) -> JSONObject | None:
    """Return the newest bulk edit doing what ``body`` asks created at or after ``created_since``.

    The list is immediate (not a search), so a lost start is seen at once.

    :param client: the client.
    :param body: the body that would be sent.
    :param created_since: an aware instant before which no earlier attempt sent it.
    """
    found: JSONObject | None = None
    for action in client.iter_items(BULK_EDIT_PATH):
        created = _created(action)
        if created is None or created < created_since or not is_same_bulk_edit(action, body):
            continue
        if found is None or created > (_created(found) or created):
            found = action
    return found


def count_matching_leads(
    client: CloseClient, query: Mapping[str, Any], results_limit: int | None = None
) -> int:
    """Return how many leads an Advanced Filtering query matches now (one search request).

    :param client: the client.
    :param query: the query (as sent in ``s_query``).
    :param results_limit: the bulk edit's cap, applied to the count.
    """
    lead_query = {"type": "and", "queries": [{"type": "object_type", "object_type": "lead"}, query]}
    body: dict[str, Any] = {
        "query": lead_query,
        "_limit": 1,
        "_fields": {"lead": ["id"]},
        "include_counts": True,
    }
    if results_limit is not None:
        body["results_limit"] = results_limit
    page = client.post("data/search/", body, retry_safe=True)
    counts = page.get("count") or {}
    total = counts.get("limited", counts.get("total"))
    if not isinstance(total, int):
        raise ValueError(f"Close's search answer has no count: {sorted(page)}")
    return total
