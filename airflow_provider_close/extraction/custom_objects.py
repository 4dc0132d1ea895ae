"""Changes of custom object instances in ``[start, end)``, found through the event log.

Close lists custom objects only per lead (``GET /custom_object/?lead_id=``, ``lead_id``
required, close-openapi.yml) and offers no date filter for them. So the event log names
the instances created or updated in the interval (``object_type=custom_object``, read up to
:data:`~airflow_provider_close.extraction.retention.LATE_EVENTS` past its end), and each of
their leads' lists is read once; an instance is kept when its ``date_updated`` is in the
interval. Requests: the event pages plus one per distinct lead. The event log keeps 30 days,
so older intervals are refused before any request.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from airflow_provider_close.client.resources import RESOURCES
from airflow_provider_close.client.timestamps import format_moment, parse_moment
from airflow_provider_close.extraction.keyset import KeysetStats
from airflow_provider_close.extraction.retention import LATE_EVENTS
from airflow_provider_close.extraction.windows import Window

if TYPE_CHECKING:
    from airflow_provider_close.client.sync import CloseClient

__all__ = ["CUSTOM_OBJECT_EVENT_TYPE", "iter_custom_object_changes"]

JSONObject = dict[str, Any]

#: The event ``object_type`` of custom object instances (assumed; see COVERAGE.md).
(CUSTOM_OBJECT_EVENT_TYPE,) = RESOURCES["custom_object"].event_types
_CHANGE_ACTIONS = ("created", "updated")


def _changed_by_lead(client: CloseClient, window: Window) -> dict[str, set[str]]:
    """Return lead id -> ids of the instances the log shows changed in the (extended) window."""
    params = {"object_type": CUSTOM_OBJECT_EVENT_TYPE}
    if window.start is not None:
        params["date_updated__gte"] = format_moment(window.start)
    if window.end is not None:
        params["date_updated__lt"] = format_moment(window.end + LATE_EVENTS)
    by_lead: dict[str, set[str]] = {}
    for action in _CHANGE_ACTIONS:
        for event in client.iter_events({**params, "action": action}):
            data = event.get("data") or {}
            lead_id = event.get("lead_id") or data.get("lead_id")
            if lead_id:
                by_lead.setdefault(str(lead_id), set()).add(str(event["object_id"]))
    return by_lead


def iter_custom_object_changes(
    client: CloseClient, window: Window, stats: KeysetStats
) -> Iterator[JSONObject]:
    """Yield each custom object whose ``date_updated`` is in ``window``, by (date_updated, id).

    The caller checks the event log's retention first.

    :param client: a Close client.
    :param window: ``[start, end)`` on ``date_updated``.
    :param stats: counters to update (rows; requests for the per-lead lists).
    """
    rows: list[JSONObject] = []
    for lead_id, ids in sorted(_changed_by_lead(client, window).items()):
        stats.requests += 1
        for row in client.iter_items("custom_object/", {"lead_id": lead_id}):
            if str(row["id"]) in ids and window.contains(parse_moment(row["date_updated"])):
                rows.append(row)
    rows.sort(key=lambda row: (parse_moment(row["date_updated"]), row["id"]))
    stats.rows += len(rows)
    yield from rows
