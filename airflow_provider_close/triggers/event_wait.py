"""CloseEventWaitTrigger: the deferred half of the events sensor (``CloseEventSensor``).

It evaluates the same filter and tally as the sensor's ``poke``
(:mod:`~airflow_provider_close.watch.event_query`,
:mod:`~airflow_provider_close.watch.event_predicate`) on events fetched by the async client.
The first poll lists the whole window; later ones only ``lookback`` below the newest event
seen (events are de-duplicated by id, so the overlap counts nothing twice). Its kwargs are
JSON-safe and hold only the connection id, never the API key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_close.client.timestamps import to_moment
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.triggers.event_scan import aiter_events
from airflow_provider_close.watch.error_policy import TransientErrors, error_event
from airflow_provider_close.watch.event_predicate import EventTally, event_moment
from airflow_provider_close.watch.event_query import EventFilter

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["CloseEventWaitTrigger"]

log = logging.getLogger(__name__)


def _event(payload: dict[str, Any]) -> TriggerEvent:
    return TriggerEvent(payload)  # type: ignore[no-untyped-call]


class CloseEventWaitTrigger(BaseTrigger):
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

    def __init__(
        self,
        *,
        close_conn_id: str,
        since: str,
        filters: Mapping[str, Any],
        until: str | None = None,
        min_count: int = 1,
        max_items: int = 100,
        poll_interval: float = 60.0,
        lookback_seconds: float = 300.0,
        max_transient_errors: int = 5,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's is untyped
        self.close_conn_id = close_conn_id
        self.since = since
        self.until = until
        self.filters = dict(filters)
        self.min_count = min_count
        self.max_items = max_items
        self.poll_interval = poll_interval
        self.lookback_seconds = lookback_seconds
        self.max_transient_errors = max_transient_errors

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the import path and the JSON-safe kwargs that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "close_conn_id": self.close_conn_id,
                "since": self.since,
                "until": self.until,
                "filters": self.filters,
                "min_count": self.min_count,
                "max_items": self.max_items,
                "poll_interval": self.poll_interval,
                "lookback_seconds": self.lookback_seconds,
                "max_transient_errors": self.max_transient_errors,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until satisfied or failed; yield exactly one event."""
        try:
            event_filter = EventFilter.of(**self.filters)
            since = to_moment(self.since)
            until = to_moment(self.until) if self.until else None
            tally = EventTally(event_filter, since, until, self.max_items)
            client = await CloseHook(close_conn_id=self.close_conn_id).get_async_client()
        except Exception as err:  # bad input or connection: polling cannot fix it
            yield _event(dict(error_event(err)))
            return
        async with client:
            yield await self._poll_until_done(client, event_filter, tally, since, until)

    async def _poll_until_done(
        self,
        client: AsyncCloseClient,
        event_filter: EventFilter,
        tally: EventTally,
        since: datetime,
        until: datetime | None,
    ) -> TriggerEvent:
        errors = TransientErrors(self.max_transient_errors)
        floor = since  # the whole window first, then only the lookback below the newest
        lookback = timedelta(seconds=self.lookback_seconds)
        while True:
            try:
                next_floor = floor  # moved only once the whole walk succeeded
                async for event in aiter_events(client, event_filter, floor, ceiling=until):
                    tally.add(event)
                    next_floor = max(next_floor, event_moment(event) - lookback)
                floor = next_floor
            except Exception as err:
                ending = errors.ending(err)
                if ending is not None:
                    return _event(dict(ending))
                log.warning("Transient error %d/%d: %s", errors.count, errors.limit, err)
            else:
                errors.clear()
                result = tally.result(self.min_count)
                if result["satisfied"]:
                    return _event({"status": "success", **result})
                log.info("%d of %d matching events so far", result["count"], self.min_count)
            await asyncio.sleep(self.poll_interval)
