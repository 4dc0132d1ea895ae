"""Where an events watcher resumes: a ``date_updated`` watermark and the ids it emitted (pure).

Close lists events newest first and may still add events a little older than the newest it
already showed (ordering lags; Close recommends re-scanning the latest 5 minutes,
close-api.md §7). So every poll lists ``date_updated >= watermark - lookback`` and skips the
events already emitted, which the cursor remembers while they are inside that window.

The cursor is JSON (:meth:`EventCursor.to_json` / :meth:`EventCursor.from_json`) so a trigger
can persist it between triggerer restarts. Its size is bounded by the matching events of one
lookback window, not by the history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from airflow_provider_close.client.timestamps import format_moment, parse_moment
from airflow_provider_close.watch.event_predicate import (
    EventSummary,
    event_matches,
    event_moment,
    event_summary,
)
from airflow_provider_close.watch.event_query import EventFilter

__all__ = ["CURSOR_VERSION", "DEFAULT_LOOKBACK", "EventCursor"]

#: Close's advice: re-scan the latest 5 minutes (close-api.md §7).
DEFAULT_LOOKBACK = timedelta(minutes=5)
CURSOR_VERSION = 1


@dataclass
class EventCursor:
    """The scan position of one watcher.

    :param watermark: the newest ``date_updated`` seen among the listed events, or None when
        the watched log was still empty.
    :param emitted: id to ``date_updated`` of every event emitted within the lookback window.
    :param lookback: how far before the watermark each poll re-scans.
    """

    watermark: datetime | None = None
    emitted: dict[str, datetime] = field(default_factory=dict)
    lookback: timedelta = DEFAULT_LOOKBACK

    def floor(self) -> datetime | None:
        """Return the oldest ``date_updated`` the next poll lists (None: the whole log)."""
        return None if self.watermark is None else self.watermark - self.lookback

    def start(self, events: Iterable[dict[str, Any]], event_filter: EventFilter) -> None:
        """Start watching from now: the listed events are history, marked as emitted.

        :param events: the newest events of the watched log (one lookback window suffices).
        :param event_filter: what counts.
        """
        self.absorb(events, event_filter)

    def absorb(
        self, events: Iterable[dict[str, Any]], event_filter: EventFilter
    ) -> list[EventSummary]:
        """Advance past ``events`` and return the matching ones not emitted before, oldest first.

        :param events: what one poll listed (any order; repeats allowed).
        :param event_filter: what counts.
        """
        fresh: dict[str, tuple[datetime, EventSummary]] = {}
        newest = self.watermark
        for event in events:
            moment = event_moment(event)
            newest = moment if newest is None else max(newest, moment)
            identifier = str(event["id"])
            if identifier in self.emitted or identifier in fresh:
                continue
            if event_matches(event_filter, event):
                fresh[identifier] = (moment, event_summary(event_filter, event))
        self.watermark = newest
        self.emitted.update({identifier: moment for identifier, (moment, _) in fresh.items()})
        self._prune()
        ordered = sorted(fresh.items(), key=lambda item: (item[1][0], item[0]))
        return [summary for _, (_, summary) in ordered]

    def to_json(self) -> dict[str, Any]:
        """Return the cursor as JSON-safe data (for an Airflow Variable)."""
        return {
            "version": CURSOR_VERSION,
            "watermark": format_moment(self.watermark) if self.watermark else None,
            "emitted": {key: format_moment(value) for key, value in sorted(self.emitted.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], lookback: timedelta = DEFAULT_LOOKBACK) -> EventCursor:
        """Return the cursor :meth:`to_json` wrote.

        :param data: the stored JSON.
        :param lookback: the re-scan window (a trigger argument, not stored).
        :raises ValueError: data of another cursor version or malformed timestamps.
        """
        if data.get("version") != CURSOR_VERSION:
            raise ValueError(f"unknown event cursor version {data.get('version')!r}")
        watermark = data.get("watermark")
        emitted = data.get("emitted") or {}
        return cls(
            watermark=parse_moment(watermark) if watermark else None,
            emitted={str(key): parse_moment(value) for key, value in emitted.items()},
            lookback=lookback,
        )

    def _prune(self) -> None:
        floor = self.floor()
        if floor is None:
            return
        self.emitted = {key: value for key, value in self.emitted.items() if value >= floor}
