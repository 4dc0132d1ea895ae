"""Tombstones: one line per object deleted in ``[start, end)``, from Close's event log.

Close logs ``<object_type>``/``deleted`` for every deleted object (a lead delete cascades, each
child with its own event) and, for a merge, ``lead``/``deleted`` on the source with
``meta.merge_destination_lead_id`` (close-api.md §7, §9b). The log is read with
``object_type`` + ``action=deleted`` + ``date_updated`` bounds, one query per event object type.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient

from airflow_provider_close.client.resources import RESOURCES
from airflow_provider_close.client.timestamps import format_moment, parse_moment
from airflow_provider_close.extraction.retention import check_retention
from airflow_provider_close.extraction.windows import Window

__all__ = ["TOMBSTONE_TYPES", "Tombstone", "tombstones"]

#: Object type asked for -> the event ``object_type`` values that hold its deletions.
TOMBSTONE_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {spec.name: spec.event_types for spec in RESOURCES.values() if spec.event_types}
)


class Tombstone(TypedDict):
    """One deleted object (one NDJSON line).

    :param object_type: the type asked for (``lead``, ``task``, ``activity.call``...).
    :param id: the deleted object's id.
    :param deleted_at: when (the event's ``date_updated``, ISO 8601 UTC with offset).
    :param merged_into: for a lead merged away, the lead it was merged into; else None.
    :param event_id: the ``ev_…`` event that recorded it.
    """

    object_type: str
    id: str
    deleted_at: str
    merged_into: str | None
    event_id: str


def tombstones(
    client: CloseClient, object_type: str, window: Window, *, now: datetime | None = None
) -> list[Tombstone]:
    """Return the tombstones of ``object_type`` in ``window``, by (deleted_at, id), one per id.

    :param client: a Close client.
    :param object_type: a key of :data:`TOMBSTONE_TYPES`.
    :param window: ``[start, end)`` on the deletion time.
    :param now: the current time, for the retention check (default: now).
    :raises ValueError: unknown type, or a window past the event log's retention (raised
        before any request).
    """
    if object_type not in TOMBSTONE_TYPES:
        raise ValueError(f"object_type must be one of {list(TOMBSTONE_TYPES)}, got {object_type!r}")
    check_retention(window, now, what=f"{object_type} deletions")
    bounds = {"date_updated__gte": format_moment(window.start)} if window.start else {}
    if window.end is not None:
        bounds["date_updated__lt"] = format_moment(window.end)
    latest: dict[str, Tombstone] = {}
    for event_type in TOMBSTONE_TYPES[object_type]:
        params = {"object_type": event_type, "action": "deleted", **bounds}
        for event in client.iter_events(params):
            stone = _tombstone(object_type, event)
            kept = latest.get(stone["id"])
            if kept is None or kept["deleted_at"] < stone["deleted_at"]:
                latest[stone["id"]] = stone
    return sorted(latest.values(), key=lambda stone: (stone["deleted_at"], stone["id"]))


def _tombstone(object_type: str, event: Mapping[str, Any]) -> Tombstone:
    meta = event.get("meta") or {}
    return Tombstone(
        object_type=object_type,
        id=str(event["object_id"]),
        deleted_at=format_moment(parse_moment(event["date_updated"])),
        merged_into=meta.get("merge_destination_lead_id"),
        event_id=str(event["id"]),
    )
