"""CloseEventTrigger: an ``AssetWatcher`` trigger that fires on matching Close events.

Use it in ``Asset(..., watchers=[AssetWatcher(name=..., trigger=CloseEventTrigger(...))])``;
every batch of new matching events becomes one asset event (its ``extra["payload"]`` holds
the events' summaries), and DAGs scheduled on the asset run.

What is kept where (see docs/events.md):

* **Trigger kwargs** (persisted by Airflow, serialized, secret-free): the connection id, the
  filter, the poll settings. They never change while the DAG is unchanged, so a triggerer
  restart re-creates the same trigger.
* **The cursor** (a ``date_updated`` watermark and the ids emitted in the last ``lookback``):
  an Airflow Variable, ``close_events_cursor__<conn id>__<filter digest>`` unless
  ``cursor_variable`` names another. Read when the trigger starts; written when it moved,
  a grace period after the poll's events were handed to Airflow (a crash in between replays
  them rather than losing them). Delete it to restart the watcher from now.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from airflow_provider_close.client.timestamps import format_moment
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.triggers.event_scan import (
    CursorStore,
    VariableCursorStore,
    ascan_events,
    restore_cursor,
)
from airflow_provider_close.watch.error_policy import is_fatal
from airflow_provider_close.watch.event_cursor import EventCursor
from airflow_provider_close.watch.event_predicate import EventSummary, event_moment
from airflow_provider_close.watch.event_query import EventFilter

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["CloseEventTrigger"]

log = logging.getLogger(__name__)

#: Names this trigger's shared streams (Airflow 3.3+).
_STREAM = "airflow_provider_close.close_events"
#: Seconds between yielding events and saving the cursor past them (> the triggerer's sync).
_PERSIST_GRACE = 2.0
#: The longest pause between polls after repeated errors, in poll intervals.
_MAX_BACKOFF = 10


@dataclass
class _WatchState:
    """What one running trigger holds between polls (lost on restart; the cursor is saved)."""

    client: AsyncCloseClient | None = None
    cursor: EventCursor | None = None
    loaded: bool = False
    caught_up: bool = False
    errors: int = 0


class CloseEventTrigger(BaseEventTrigger):
    """Poll Close's event log and yield one event per batch of new matching Close events.

    Payload: ``{"events": [EventSummary...], "count": n, "watermark": iso}``. Events are
    de-duplicated by id; each poll re-scans the ``lookback`` before the newest event seen.
    Errors never fire the asset: they are logged and the poll is retried (backing off).

    :param close_conn_id: Airflow connection to Close (the key stays in the connection).
    :param object_types: e.g. ``["opportunity"]``, ``["activity.call"]``.
    :param actions: e.g. ``["updated"]``; empty for every action (needs lead_id/user_id).
    :param lead_id: only this lead's events.
    :param user_id: only this user's events.
    :param changed_fields: fire only if the event changed one of these (e.g. ``status_id``).
    :param data_equals: fire only if ``data[field]`` is one of the values, e.g.
        ``{"status_type": ["won"]}``.
    :param poll_interval: seconds between polls.
    :param lookback_seconds: how far before the newest event each poll re-scans.
    :param max_events: most events per asset event (more become several asset events).
    :param cursor_variable: Variable holding the cursor (default derived from the filter).
    :param share_poll: on Airflow 3.3+, share one poll with the watchers of the same
        connection and server-side filter (:meth:`shared_stream_key`).
    """

    def __init__(
        self,
        *,
        close_conn_id: str = CloseHook.default_conn_name,
        object_types: list[str] | None = None,
        actions: list[str] | None = None,
        lead_id: str | None = None,
        user_id: str | None = None,
        changed_fields: list[str] | None = None,
        data_equals: Mapping[str, list[str]] | None = None,
        poll_interval: float = 60.0,
        lookback_seconds: float = 300.0,
        max_events: int = 50,
        cursor_variable: str | None = None,
        share_poll: bool = True,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's is untyped
        self.event_filter = EventFilter.of(
            object_types,
            actions,
            lead_id=lead_id,
            user_id=user_id,
            changed_fields=changed_fields,
            data_equals=data_equals,
        )
        if max_events < 1:
            raise ValueError(f"max_events must be at least 1, got {max_events}")
        self.close_conn_id = close_conn_id
        self.poll_interval = poll_interval
        self.lookback_seconds = lookback_seconds
        self.max_events = max_events
        self.cursor_variable = cursor_variable
        self.share_poll = share_poll

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the import path and the JSON-safe kwargs that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "close_conn_id": self.close_conn_id,
                **self.event_filter.as_kwargs(),
                "poll_interval": self.poll_interval,
                "lookback_seconds": self.lookback_seconds,
                "max_events": self.max_events,
                "cursor_variable": self.cursor_variable,
                "share_poll": self.share_poll,
            },
        )

    @property
    def cursor_key(self) -> str:
        """The Variable that holds this watcher's cursor."""
        default = f"close_events_cursor__{self.close_conn_id}__{self.event_filter.digest()}"
        return self.cursor_variable or default

    def cursor_store(self) -> CursorStore:
        """Return where the cursor is kept (an Airflow Variable)."""
        return VariableCursorStore(self.cursor_key)

    def shared_stream_key(self) -> Hashable | None:
        """Airflow 3.3+: watchers with this key share one poll (one query plan per interval).

        Same connection, same server-side filter (object types, actions, lead, user) and same
        poll settings; ``changed_fields``/``data_equals`` may differ. Close's ``/event/``
        documents no unfiltered listing, so watchers of different object types cannot share.
        """
        if not self.share_poll:
            return None
        server = self.event_filter.server_side().digest()
        return (_STREAM, self.close_conn_id, server, self.poll_interval, self.lookback_seconds)

    @classmethod
    async def open_shared_stream(cls, kwargs: dict[str, Any]) -> AsyncIterator[Any]:
        """Airflow 3.3+: poll the group's query plan forever; yield each poll's events (a list)."""
        trigger = cls(**kwargs)
        async for events in trigger._shared_polls():
            yield events

    async def filter_shared_stream(
        self, shared_stream: AsyncIterator[Any]
    ) -> AsyncIterator[TriggerEvent]:
        """Airflow 3.3+: catch up from this watcher's cursor, then filter the shared polls."""
        store = self.cursor_store()
        state = _WatchState()
        try:
            while not state.caught_up:  # our own poll first: the stored cursor may be older
                fresh, changed = await self._guarded_step(state, store)
                async for event in self._emit(fresh, changed, state, store):
                    yield event
                if not state.caught_up:
                    await asyncio.sleep(self._pause(state))
            async for events in shared_stream:
                cursor = state.cursor
                assert cursor is not None  # set by the catch-up
                before = cursor.to_json()
                fresh = cursor.absorb(events, self.event_filter)
                async for event in self._emit(fresh, cursor.to_json() != before, state, store):
                    yield event
        finally:
            if state.client is not None:
                await state.client.close()

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll forever; yield a TriggerEvent per batch of new matching events."""
        store = self.cursor_store()
        state = _WatchState()
        try:
            while True:
                fresh, changed = await self._guarded_step(state, store)
                async for event in self._emit(fresh, changed, state, store):
                    yield event
                await asyncio.sleep(self._pause(state))
        finally:
            if state.client is not None:
                await state.client.close()

    async def _shared_polls(self) -> AsyncIterator[list[dict[str, Any]]]:
        lookback = timedelta(seconds=self.lookback_seconds)
        server = self.event_filter.server_side()
        state = _WatchState()
        watermark: datetime | None = None
        try:
            while True:
                try:
                    if state.client is None:
                        hook = CloseHook(close_conn_id=self.close_conn_id)
                        state.client = await hook.get_async_client()
                    floor = watermark - lookback if watermark else None
                    events = await ascan_events(state.client, server, floor, start_depth=lookback)
                except Exception as err:  # the stream yields forever: retry, backing off
                    state.errors += 1
                    self._log_error(err, state.errors)
                else:
                    state.errors = 0
                    moments = [event_moment(event) for event in events]
                    watermark = max([*moments, watermark] if watermark else moments, default=None)
                    yield events
                await asyncio.sleep(self._pause(state))
        finally:
            if state.client is not None:
                await state.client.close()

    async def _guarded_step(
        self, state: _WatchState, store: CursorStore
    ) -> tuple[list[EventSummary], bool]:
        try:
            fresh, changed = await self._step(state, store)
        except Exception as err:  # never fire the asset on an error
            state.errors += 1
            self._log_error(err, state.errors)
            return [], False
        state.errors = 0
        state.caught_up = True
        return fresh, changed

    async def _emit(
        self, fresh: list[EventSummary], changed: bool, state: _WatchState, store: CursorStore
    ) -> AsyncIterator[TriggerEvent]:
        """Yield the batches, then save the cursor once Airflow has had time to persist them.

        The triggerer writes yielded events to the metadata DB on its next sync (about a
        second). Saving the cursor a grace period later means a crash in between replays the
        batch (its event ids are in the payload) rather than losing it.
        """
        for start in range(0, len(fresh), self.max_events):
            yield self._event(fresh[start : start + self.max_events], state)
        if fresh:
            await asyncio.sleep(min(self.poll_interval, _PERSIST_GRACE))
        if changed and state.cursor is not None:
            await self._save(store, state.cursor)

    def _pause(self, state: _WatchState) -> float:
        return float(self.poll_interval * min(2 ** max(state.errors - 1, 0), _MAX_BACKOFF))

    async def _step(
        self, state: _WatchState, store: CursorStore
    ) -> tuple[list[EventSummary], bool]:
        """Run one poll; return the new matching events and whether the cursor moved."""
        lookback = timedelta(seconds=self.lookback_seconds)
        if state.client is None:
            state.client = await CloseHook(close_conn_id=self.close_conn_id).get_async_client()
        if state.cursor is None and not state.loaded:
            state.cursor = restore_cursor(await store.load(), lookback)
            state.loaded = True
        if state.cursor is None:
            log.info("No cursor in Variable %s: watching Close events from now", self.cursor_key)
            events = await ascan_events(state.client, self.event_filter, None, start_depth=lookback)
            cursor = EventCursor(lookback=lookback)
            cursor.start(events, self.event_filter)
            state.cursor = cursor
            return [], True
        before = state.cursor.to_json()
        events = await ascan_events(
            state.client, self.event_filter, state.cursor.floor(), start_depth=lookback
        )
        fresh = state.cursor.absorb(events, self.event_filter)
        return fresh, state.cursor.to_json() != before

    async def _save(self, store: CursorStore, cursor: EventCursor) -> None:
        try:
            await store.save(cursor.to_json())
        except Exception as err:  # the next poll saves again; a restart before may replay
            log.error("Could not save the cursor to Variable %s: %s", self.cursor_key, err)

    def _event(self, batch: list[EventSummary], state: _WatchState) -> TriggerEvent:
        watermark = state.cursor.watermark if state.cursor else None
        payload = {
            "events": batch,
            "count": len(batch),
            "watermark": format_moment(watermark) if watermark else None,
        }
        return TriggerEvent(payload)  # type: ignore[no-untyped-call]

    def _log_error(self, err: Exception, errors: int) -> None:
        kind = "Fatal" if is_fatal(err) else "Transient"
        log.error("%s error polling Close events (%d in a row): %s", kind, errors, err)
