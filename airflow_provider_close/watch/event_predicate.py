"""Whether a Close event matches an :class:`EventFilter`, and bounded tallies of matches (pure).

Close's server-side filters are re-checked client-side (a row Close sent that does not match
is never counted), and the checks Close cannot do server-side (``changed_fields``,
``data_equals``) are done here only. Both the events sensor and the asset watcher trigger call
:func:`event_matches` and :func:`event_summary`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypedDict

from airflow_provider_close.client.timestamps import format_moment, parse_moment
from airflow_provider_close.watch.earliest import EarliestKeys, checked_min_count
from airflow_provider_close.watch.event_query import EventFilter

__all__ = [
    "EventSummary",
    "EventTally",
    "EventsResult",
    "event_matches",
    "event_moment",
    "event_summary",
]


class EventSummary(TypedDict):
    """One matching event as reported to XCom or in an asset event's payload (bounded).

    ``data`` and ``previous_data`` keep only the fields the filter looks at plus the changed
    ones, so a payload never carries a whole object.
    """

    id: str
    object_type: str
    object_id: str | None
    lead_id: str | None
    action: str
    changed_fields: list[str]
    date_updated: str
    data: dict[str, Any]
    previous_data: dict[str, Any]


class EventsResult(TypedDict):
    """What the events sensor reports (JSON-safe; pushed to XCom when satisfied).

    :param satisfied: at least ``min_count`` matching events were found.
    :param count: every distinct matching event found, not only the listed ones.
    :param events: the first ``max_items`` matching events by (date_updated, id).
    :param truncated: ``count`` exceeds the events listed.
    :param watermark: the latest ``date_updated`` of a matching event (ISO, UTC), or None.
    """

    satisfied: bool
    count: int
    events: list[EventSummary]
    truncated: bool
    watermark: str | None


def event_moment(event: dict[str, Any]) -> datetime:
    """Return the event's ``date_updated`` as an aware UTC datetime (Close sends it naive).

    :param event: one event as ``/event/`` lists it.
    :raises ValueError: no parsable ``date_updated``.
    """
    return parse_moment(event.get("date_updated"))


def event_matches(event_filter: EventFilter, event: dict[str, Any]) -> bool:
    """Return whether ``event`` is one ``event_filter`` waits for.

    :param event_filter: what counts.
    :param event: one event as ``/event/`` lists it.
    """
    if event_filter.object_types and event.get("object_type") not in event_filter.object_types:
        return False
    if event_filter.actions and event.get("action") not in event_filter.actions:
        return False
    if any(event.get(name) != value for name, value in event_filter.id_filters().items()):
        return False
    changed = event.get("changed_fields") or []
    if event_filter.changed_fields and not set(changed) & set(event_filter.changed_fields):
        return False
    data = event.get("data") or {}
    return all(data.get(name) in values for name, values in event_filter.data_equals.items())


def event_summary(event_filter: EventFilter, event: dict[str, Any]) -> EventSummary:
    """Return the bounded summary of a matching event.

    :param event_filter: decides which ``data`` fields are kept (its fields, the changed ones).
    :param event: one event as ``/event/`` lists it.
    """
    changed = [str(name) for name in event.get("changed_fields") or []]
    keep = {*changed, *event_filter.changed_fields, *event_filter.data_equals}
    data = event.get("data") or {}
    previous = event.get("previous_data") or {}
    return EventSummary(
        id=str(event["id"]),
        object_type=str(event.get("object_type")),
        object_id=event.get("object_id"),
        lead_id=event.get("lead_id"),
        action=str(event.get("action")),
        changed_fields=changed,
        date_updated=format_moment(event_moment(event)),
        data={name: data[name] for name in sorted(keep) if name in data},
        previous_data={name: previous[name] for name in sorted(keep) if name in previous},
    )


class EventTally:
    """Counts distinct matching events (by id) with memory bounded by ``max_items``.

    Overlapping polls and several queries may list one event more than once; it is counted
    once. A window bounds ``date_updated`` to ``[since, until)``.

    :param event_filter: the filter every counted event must match.
    :param since: lower bound on ``date_updated`` (aware, inclusive).
    :param until: exclusive upper bound (aware), or None.
    :param max_items: how many summaries to keep (at least 1).
    """

    def __init__(
        self,
        event_filter: EventFilter,
        since: datetime,
        until: datetime | None,
        max_items: int,
    ) -> None:
        self._filter = event_filter
        self._since = since
        self._until = until
        self._kept = EarliestKeys(max_items)
        self._ids: set[str] = set()
        self._summaries: dict[str, EventSummary] = {}

    @property
    def latest(self) -> datetime | None:
        """The latest ``date_updated`` counted, or None."""
        return self._kept.latest

    @property
    def count(self) -> int:
        """How many distinct matching events were added."""
        return len(self._ids)

    def add_all(self, events: Iterable[dict[str, Any]]) -> None:
        """Add every event of ``events`` (see :meth:`add`)."""
        for event in events:
            self.add(event)

    def add(self, event: dict[str, Any]) -> None:
        """Count ``event`` once if it matches the filter and the window.

        :param event: one event as ``/event/`` lists it.
        """
        moment = event_moment(event)
        if moment < self._since or (self._until is not None and moment >= self._until):
            return
        identifier = str(event["id"])
        if identifier in self._ids or not event_matches(self._filter, event):
            return
        self._ids.add(identifier)
        dropped = self._kept.add(moment, identifier)
        if dropped is not None:
            self._summaries[identifier] = event_summary(self._filter, event)
            for gone in dropped:
                self._summaries.pop(gone, None)

    def result(self, min_count: int) -> EventsResult:
        """Return the verdict for ``min_count``.

        :param min_count: how many matching events satisfy the wait (at least 1).
        """
        return EventsResult(
            satisfied=self.count >= checked_min_count(min_count),
            count=self.count,
            events=[self._summaries[identifier] for identifier in self._kept.ids],
            truncated=self.count > len(self._kept.keys),
            watermark=self._kept.watermark,
        )
