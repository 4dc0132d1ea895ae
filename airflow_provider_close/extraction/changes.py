"""Changes by interval: every object of one type whose ``date_updated`` is in ``[start, end)``.

Each object type goes through the one Close query that can find its changes (see
:mod:`~airflow_provider_close.extraction.change_queries`), walked by the client's
keyset walk (:mod:`~airflow_provider_close.client.keyset`) so the result is exact while users edit,
create and delete, and no ``_skip`` or search-cursor bound is ever reached.

Activities have no ``date_updated`` filter in Close. Their changes are the activities
*created* in the interval whose ``date_updated`` is still in it, plus the older activities the
event log shows as changed in the interval (``updated``, ``sent``, ``completed``…), read back by
id. The event log keeps 30 days, so activity intervals older than that are refused before any
request (:func:`~airflow_provider_close.extraction.retention.check_retention`).

Custom activities (``activity.custom``: every Custom Activity Type's instances) are read like
the other activity types, from ``/activity/custom/`` and the log's ``activity.custom_activity``
events. Custom objects have neither an org-wide list nor a date filter: see
:mod:`~airflow_provider_close.extraction.custom_objects`.

Configuration lists (users, statuses, pipelines, custom field definitions, custom activity and
custom object types) have no dates to filter on; they are written whole, as snapshots.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from airflow_provider_close.client.pagination import Page
from airflow_provider_close.client.resources import ACTIVITY_TYPES, resource_spec
from airflow_provider_close.client.timestamps import parse_moment
from airflow_provider_close.extraction.change_queries import (
    date_bounds,
    list_pages,
    search_fields,
    search_pages,
)
from airflow_provider_close.extraction.custom_objects import iter_custom_object_changes
from airflow_provider_close.extraction.engine import iter_extract
from airflow_provider_close.extraction.keyset import KeysetStats
from airflow_provider_close.extraction.retention import LATE_EVENTS, check_retention
from airflow_provider_close.extraction.walk import WalkStats

if TYPE_CHECKING:
    from airflow_provider_close.client.sync import CloseClient
from airflow_provider_close.extraction.windows import Window

__all__ = ["CHANGE_TYPES", "SNAPSHOT_TYPES", "iter_changes"]

JSONObject = dict[str, Any]

#: Event actions (besides ``created``/``deleted``) that change an activity (close-api.md §7).
_ACTIVITY_CHANGE_ACTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "call": ("updated", "completed", "answered"),
        "sms": ("updated", "sent"),
        "note": ("updated",),
        "email": ("updated", "sent"),
        "meeting": ("updated", "completed", "scheduled", "started", "canceled"),
        "custom": ("updated",),
    }
)
#: Ids per ``GET /activity/?id__in=`` request (keeps the URL under ~2000 characters, §0).
_IDS_PER_REQUEST = 30

#: Configuration lists written whole (no date filter exists for them).
SNAPSHOT_TYPES: tuple[str, ...] = (
    "user",
    "lead_status",
    "opportunity_status",
    "pipeline",
    "custom_activity_type",
    "custom_object_type",
    *(f"custom_field.{kind}" for kind in ("lead", "contact", "opportunity", "activity")),
)
#: Every object type :func:`iter_changes` accepts.
CHANGE_TYPES: tuple[str, ...] = (
    "lead",
    "contact",
    "opportunity",
    "task",
    *(f"activity.{kind}" for kind in ACTIVITY_TYPES),
    "activity.custom",
    "custom_object",
    *SNAPSHOT_TYPES,
)


def iter_changes(
    client: CloseClient,
    object_type: str,
    window: Window,
    stats: KeysetStats,
    *,
    now: datetime | None = None,
) -> Iterator[JSONObject]:
    """Yield each object of ``object_type`` changed in ``window`` once, as Close returns it.

    Order: ascending ``date_updated`` (leads, contacts, opportunities); ascending
    ``date_created`` (tasks; activities created in the window, then older changed ones by
    ``date_updated``, id); Close's order for snapshots.

    :param client: a Close client.
    :param object_type: one of :data:`CHANGE_TYPES`.
    :param window: ``[start, end)`` on ``date_updated`` (ignored for snapshots).
    :param stats: counters to update.
    :param now: the current time, for the activity retention check (default: now).
    :raises ValueError: unknown type, or an activity interval past the event log's retention.
    """
    if object_type not in CHANGE_TYPES:
        raise ValueError(f"object_type must be one of {list(CHANGE_TYPES)}, got {object_type!r}")
    if object_type in SNAPSHOT_TYPES:
        return _iter_snapshot(client, object_type, stats)
    if object_type.startswith("activity.") or object_type == "custom_object":
        check_retention(window, now, what=f"{object_type} changes")
    if object_type == "custom_object":
        return iter_custom_object_changes(client, window, stats)
    if object_type.startswith("activity."):
        return _iter_activity_changes(client, object_type.split(".", 1)[1], window, stats)
    if object_type in ("lead", "contact"):
        return _iter_search(client, object_type, window, stats)
    if object_type == "opportunity":
        pages = list_pages(client, "opportunity/", "date_updated", {}, window)
        return _rows(pages, stats)
    fixed = {"_type": "all", **date_bounds("date_updated", window)}
    return _rows(list_pages(client, "task/", "date_created", fixed, Window(None, None)), stats)


def _rows(pages: Iterator[Page], stats: KeysetStats) -> Iterator[JSONObject]:
    """Yield the rows of a keyset walk, counting its pages and re-read rows."""
    for page in pages:
        stats.requests += 1
        stats.reread += page.dropped
        stats.rows += len(page.items)
        yield from page.items


def _iter_snapshot(
    client: CloseClient, object_type: str, stats: KeysetStats
) -> Iterator[JSONObject]:
    walk = WalkStats()
    for row in iter_extract(client, resource_spec(object_type), stats=walk):
        stats.rows += 1
        yield row
    stats.requests += walk.requests


def _iter_search(
    client: CloseClient, object_type: str, window: Window, stats: KeysetStats
) -> Iterator[JSONObject]:
    definitions = client.get(f"custom_field/{object_type}/")
    stats.requests += 1
    custom_ids = [str(item["id"]) for item in definitions.get("data") or []]
    fields = search_fields(object_type, custom_ids)
    return _rows(search_pages(client, object_type, window, fields), stats)


def _iter_activity_changes(
    client: CloseClient, kind: str, window: Window, stats: KeysetStats
) -> Iterator[JSONObject]:
    path = f"activity/{kind}/"
    pages = list_pages(client, path, "date_created", {}, window)
    for row in _rows(pages, stats):
        if window.contains(parse_moment(row["date_updated"])):
            yield row
        else:
            stats.rows -= 1  # created in the window, changed again after it
    older = _older_changed_ids(client, kind, window)
    # /activity/ documents id__in; custom activities are read from their own list, which
    # documents it too and returns their custom.cf_… values.
    by_id = path if kind == "custom" else "activity/"
    rows = [row for row in _read_by_ids(client, by_id, sorted(older)) if _older_change(row, window)]
    rows.sort(key=lambda row: (parse_moment(row["date_updated"]), row["id"]))
    stats.rows += len(rows)
    yield from rows


def _older_changed_ids(client: CloseClient, kind: str, window: Window) -> set[str]:
    scan = Window(window.start, window.end + LATE_EVENTS if window.end else None)
    (event_type,) = resource_spec(f"activity.{kind}").event_types
    params = {"object_type": event_type, **date_bounds("date_updated", scan)}
    ids: set[str] = set()
    for action in _ACTIVITY_CHANGE_ACTIONS[kind]:
        for event in client.iter_events({**params, "action": action}):
            data = event.get("data") or {}
            created = data.get("date_created")
            if created is None or window.start is None or parse_moment(created) < window.start:
                ids.add(str(event["object_id"]))
    return ids


def _read_by_ids(client: CloseClient, path: str, ids: list[str]) -> Iterator[JSONObject]:
    for first in range(0, len(ids), _IDS_PER_REQUEST):
        chunk = ids[first : first + _IDS_PER_REQUEST]
        yield from client.iter_items(path, {"id__in": ",".join(chunk)})


def _older_change(row: Mapping[str, Any], window: Window) -> bool:
    created = parse_moment(row["date_created"])
    before_start = window.start is not None and created < window.start
    return before_start and window.contains(parse_moment(row["date_updated"]))
