"""CloseEventSensor: wait until matching events (a deal won, a lead's status changed...) happen.

Poke and reschedule modes list Close's event log with the sync client; ``deferrable=True``
hands the wait to :class:`~airflow_provider_close.triggers.event_wait.CloseEventWaitTrigger`.
Both evaluate the same filter and tally (:mod:`~airflow_provider_close.watch.event_query`,
:mod:`~airflow_provider_close.watch.event_predicate`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context, PokeReturnValue

from airflow_provider_close.sensors._waiting import CloseWaitingSensor
from airflow_provider_close.watch.activity_query import is_templated

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient
    from airflow_provider_close.triggers.event_wait import CloseEventWaitTrigger
    from airflow_provider_close.watch.event_predicate import EventsResult
    from airflow_provider_close.watch.event_query import EventFilter

__all__ = ["CloseEventSensor", "fetch_events", "iter_events_in_window"]


def iter_events_in_window(
    client: CloseClient, event_filter: EventFilter, since: datetime, until: datetime | None
) -> Iterator[dict[str, Any]]:
    """Yield the events of every query of the plan with ``since <= date_updated < until``.

    :param client: a Close client.
    :param event_filter: what to list.
    :param since: lower bound (aware).
    :param until: exclusive upper bound (aware), or None.
    """
    from airflow_provider_close.watch.event_predicate import event_moment
    from airflow_provider_close.watch.event_query import event_queries

    for params in event_queries(event_filter, since, until):
        for event in client.iter_events(params):
            if event_moment(event) < since:  # newest first: the rest is older
                break
            yield event


def fetch_events(
    client: CloseClient,
    event_filter: EventFilter,
    since: datetime,
    until: datetime | None,
    *,
    min_count: int,
    max_items: int,
) -> EventsResult:
    """List the window with the sync client and return the shared tally's verdict.

    :param client: a Close client.
    :param event_filter: what counts.
    :param since: lower bound (aware).
    :param until: exclusive upper bound (aware), or None.
    :param min_count: how many matching events satisfy the sensor.
    :param max_items: how many event summaries to report.
    """
    from airflow_provider_close.watch.event_predicate import EventTally

    tally = EventTally(event_filter, since, until, max_items)
    tally.add_all(iter_events_in_window(client, event_filter, since, until))
    return tally.result(min_count)


class CloseEventSensor(CloseWaitingSensor):
    """Wait until at least ``min_count`` matching Close events have ``date_updated`` in a window.

    The window is ``[since, until)``; by default the run's data interval. An event counts once
    (by id) however many polls or queries list it. Pushes to XCom (return value)
    ``{"count", "events" (at most max_items summaries, earliest first: id, object_type,
    object_id, lead_id, action, changed_fields, date_updated, and the watched/changed fields
    of data and previous_data), "truncated", "watermark", "satisfied"}``.

    :param object_types: e.g. ``"opportunity"``, ``["lead"]``, ``"activity.call"`` (templated).
    :param actions: e.g. ``"updated"``; empty for every action (then set lead_id or user_id;
        the filter must be a combination Close's ``/event/`` accepts) (templated).
    :param lead_id: only this lead's events (templated).
    :param user_id: only this user's events (templated).
    :param changed_fields: count an event only if it changed one of these, e.g. ``"status_id"``.
    :param data_equals: count an event only if ``data[field]`` is one of the values, e.g.
        ``{"status_type": "won"}`` (an opportunity moved to a won status).
    :param since: lower bound; default the run's ``data_interval_start`` (templated).
    :param until: exclusive upper bound; default ``data_interval_end`` (templated).
    :param open_ended: ignore ``data_interval_end``: count everything after ``since``.
    :param min_count: how many events satisfy the sensor.
    :param max_items: most event summaries pushed to XCom.
    :param lookback_seconds: deferred: how far below the newest event later polls re-scan.
    :param close_conn_id: Airflow connection to Close (templated).
    :param max_transient_errors: consecutive transient errors the trigger tolerates.
    :param deferrable: wait in the triggerer (default ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = (
        "close_conn_id",
        "object_types",
        "actions",
        "lead_id",
        "user_id",
        "since",
        "until",
    )

    def __init__(
        self,
        *,
        object_types: str | Sequence[str] | None = None,
        actions: str | Sequence[str] | None = None,
        lead_id: str | None = None,
        user_id: str | None = None,
        changed_fields: str | Sequence[str] | None = None,
        data_equals: Mapping[str, str | Sequence[str]] | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        open_ended: bool = False,
        lookback_seconds: float = 300.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.object_types = (
            object_types if isinstance(object_types, str | None) else list(object_types)
        )
        self.actions = actions if isinstance(actions, str | None) else list(actions)
        self.lead_id = lead_id
        self.user_id = user_id
        self.changed_fields = changed_fields
        self.data_equals = dict(data_equals or {})
        if not is_templated(self.object_types, self.actions, lead_id, user_id):
            self.event_filter()  # fail when the DAG is parsed
        self.since = since
        self.until = until
        self.open_ended = open_ended
        self.lookback_seconds = lookback_seconds

    def event_filter(self) -> EventFilter:
        """Return the validated filter (raises ValueError naming what is wrong)."""
        from airflow_provider_close.watch.event_query import EventFilter

        return EventFilter.of(
            self.object_types,
            self.actions,
            lead_id=self.lead_id,
            user_id=self.user_id,
            changed_fields=self.changed_fields,
            data_equals=self.data_equals,
        )

    def window(self, context: Context) -> tuple[datetime, datetime | None]:
        """Return ``(since, until)`` of this run (no request is sent).

        :param context: the task context (for the data interval defaults).
        :raises ValueError: no ``since`` and no data interval.
        """
        return self.run_window(
            context,
            self.since,
            self.until,
            open_ended=self.open_ended,
            no_start="no since given and the run has no data_interval_start",
        )

    def poke(self, context: Context) -> PokeReturnValue:
        """List the window with the sync client and evaluate the shared tally once."""
        event_filter = self.event_filter()
        since, until = self.window(context)
        result = fetch_events(
            self.hook.client,
            event_filter,
            since,
            until,
            min_count=self.min_count,
            max_items=self.max_items,
        )
        return self.poked(result, "events")

    def trigger_for(self, context: Context) -> CloseEventWaitTrigger:
        """Return the trigger that carries on this run's wait (secret-free kwargs)."""
        from airflow_provider_close.client.timestamps import format_moment
        from airflow_provider_close.triggers.event_wait import CloseEventWaitTrigger

        since, until = self.window(context)
        return CloseEventWaitTrigger(
            close_conn_id=self.close_conn_id,
            since=format_moment(since),
            until=format_moment(until) if until else None,
            filters=self.event_filter().as_kwargs(),
            min_count=self.min_count,
            max_items=self.max_items,
            poll_interval=float(self.poke_interval),
            lookback_seconds=self.lookback_seconds,
            max_transient_errors=self.max_transient_errors,
        )
