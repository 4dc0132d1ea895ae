"""What the event triggers share: one async ``/event/`` scan and the persisted watcher cursor.

* :func:`ascan_events` lists every event of an :class:`EventFilter`'s query plan down to a
  ``date_updated`` floor (Close lists newest first; the walk stops at the floor).
* :class:`VariableCursorStore` keeps an :class:`EventCursor` in an Airflow Variable, the one
  store both Airflow 3.1's and 3.3's triggerer can read and write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_close.watch.event_cursor import DEFAULT_LOOKBACK, EventCursor
from airflow_provider_close.watch.event_predicate import event_moment
from airflow_provider_close.watch.event_query import EventFilter, event_queries

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["CursorStore", "VariableCursorStore", "aiter_events", "ascan_events", "restore_cursor"]


async def aiter_events(
    client: AsyncCloseClient,
    event_filter: EventFilter,
    floor: datetime | None,
    *,
    ceiling: datetime | None = None,
    start_depth: timedelta = DEFAULT_LOOKBACK,
) -> AsyncIterator[dict[str, Any]]:
    """Yield the events of every query of the plan with ``floor <= date_updated < ceiling``.

    Without a floor (a watcher's first poll), each query stops ``start_depth`` below its
    newest event: enough to mark the recent history as seen without walking the whole log.

    :param client: an async Close client.
    :param event_filter: what to list.
    :param floor: oldest ``date_updated`` (aware), or None.
    :param ceiling: exclusive upper bound (aware), or None.
    :param start_depth: how deep the floor-less walk goes below the newest event.
    """
    for params in event_queries(event_filter, floor, ceiling):
        stop = floor
        async for event in client.iter_events(params):
            moment = event_moment(event)
            if stop is None:
                stop = moment - start_depth
            if moment < stop:
                break
            yield event


async def ascan_events(
    client: AsyncCloseClient,
    event_filter: EventFilter,
    floor: datetime | None,
    *,
    start_depth: timedelta,
) -> list[dict[str, Any]]:
    """Return what :func:`aiter_events` yields (one watcher poll; bounded by the window)."""
    return [
        event async for event in aiter_events(client, event_filter, floor, start_depth=start_depth)
    ]


class CursorStore(Protocol):
    """Where a watcher's cursor survives a triggerer restart."""

    async def load(self) -> dict[str, Any] | None:
        """Return the stored cursor JSON, or None when nothing is stored."""

    async def save(self, data: dict[str, Any]) -> None:
        """Store the cursor JSON.

        :param data: what :meth:`EventCursor.to_json` returned.
        """


class VariableCursorStore:
    """Keep the cursor in the Airflow Variable ``key`` (JSON).

    The SDK's Variable calls block on the triggerer's supervisor channel, so they run in a
    worker thread (``sync_to_async``), never on the event loop.

    :param key: the Variable's key.
    """

    def __init__(self, key: str) -> None:
        self.key = key

    async def load(self) -> dict[str, Any] | None:
        """Return the Variable's JSON, or None when it does not exist."""
        from airflow.sdk import Variable
        from asgiref.sync import sync_to_async

        value = await sync_to_async(Variable.get)(self.key, default=None, deserialize_json=True)
        return value if isinstance(value, dict) else None

    async def save(self, data: dict[str, Any]) -> None:
        """Write ``data`` to the Variable.

        :param data: the cursor JSON.
        """
        from airflow.sdk import Variable
        from asgiref.sync import sync_to_async

        await sync_to_async(Variable.set)(
            self.key,
            data,
            description="Close event watcher cursor (airflow-provider-close); delete to restart "
            "the watcher from now",
            serialize_json=True,
        )


def restore_cursor(data: dict[str, Any] | None, lookback: timedelta) -> EventCursor | None:
    """Return the stored cursor, or None when there is none (or it is unreadable).

    :param data: what the store returned.
    :param lookback: the watcher's re-scan window.
    """
    if data is None:
        return None
    try:
        return EventCursor.from_json(data, lookback)
    except (ValueError, TypeError):
        return None
