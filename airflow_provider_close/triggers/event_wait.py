"""CloseEventWaitTrigger: the deferred half of the events sensor (``CloseEventSensor``).

It evaluates the same filter and tally as the sensor's ``poke``
(:mod:`~airflow_provider_close.watch.event_query`,
:mod:`~airflow_provider_close.watch.event_predicate`) on events fetched by the async client.
The first poll lists the whole window; later ones only ``lookback`` below the newest event
seen (events are de-duplicated by id, so the overlap counts nothing twice). Its kwargs are
JSON-safe and hold only the connection id, never the API key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_close.client.timestamps import to_moment
from airflow_provider_close.triggers.event_scan import aiter_events
from airflow_provider_close.triggers.polling import Poll, PollingTrigger
from airflow_provider_close.watch.event_predicate import EventsResult, EventTally, event_moment
from airflow_provider_close.watch.event_query import EventFilter

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["CloseEventWaitTrigger"]


class CloseEventWaitTrigger(PollingTrigger[EventsResult]):
    """Poll Close's event log until ``min_count`` matching events fall in ``[since, until)``.

    Yields ``{"status": "success", **EventsResult}``, or ``{"status": "error", "error_type",
    "message"}`` on a fatal error (400/401/403...) or after more than
    ``max_transient_errors`` consecutive transient ones.

    :param close_conn_id: Airflow connection to Close.
    :param since: lower bound of ``date_updated`` (ISO 8601, inclusive).
    :param until: exclusive upper bound (ISO 8601), or None.
    :param filters: the :meth:`EventFilter.as_kwargs` of what counts.
    :param min_count: how many events satisfy the wait.
    :param max_items: how many event summaries the result lists.
    :param poll_interval: seconds between polls.
    :param lookback_seconds: how far below the newest event seen later polls re-scan.
    :param max_transient_errors: consecutive transient errors tolerated.
    """

    kwarg_names = ("since", "until", "filters", "min_count", "max_items", "lookback_seconds")

    def __init__(
        self,
        *,
        since: str,
        filters: Mapping[str, Any],
        until: str | None = None,
        min_count: int = 1,
        max_items: int = 100,
        lookback_seconds: float = 300.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.since = since
        self.until = until
        self.filters = dict(filters)
        self.min_count = min_count
        self.max_items = max_items
        self.lookback_seconds = lookback_seconds

    def start(self) -> Poll[EventsResult]:
        """Return the poll of this wait: one tally and one moving floor across every poll."""
        event_filter = EventFilter.of(**self.filters)
        since = to_moment(self.since)
        until = to_moment(self.until) if self.until else None
        tally = EventTally(event_filter, since, until, self.max_items)
        lookback = timedelta(seconds=self.lookback_seconds)
        floor = since  # the whole window first, then only the lookback below the newest

        async def poll(client: AsyncCloseClient) -> EventsResult:
            nonlocal floor
            next_floor = floor  # moved only once the whole walk succeeded
            async for event in aiter_events(client, event_filter, floor, ceiling=until):
                tally.add(event)
                next_floor = max(next_floor, event_moment(event) - lookback)
            floor = next_floor
            return tally.result(self.min_count)

        return poll

    def outcome(self, polled: EventsResult) -> Mapping[str, Any] | None:
        """Return ``{"status": "success", **result}`` once satisfied, else ``None``."""
        return {"status": "success", **polled} if polled["satisfied"] else None

    def progress(self, polled: EventsResult) -> str:
        """Return ``<count> of <min_count> matching events so far``."""
        return f"{polled['count']} of {self.min_count} matching events so far"
