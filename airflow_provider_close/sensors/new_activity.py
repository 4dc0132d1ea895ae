"""CloseNewActivitySensor: wait until enough new activities (calls, SMS...) exist in Close.

Poke and reschedule modes fetch with the sync client; ``deferrable=True`` hands the wait to
:class:`~airflow_provider_close.triggers.new_activity.CloseNewActivityTrigger`. Both evaluate
the same query plan and predicate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context, PokeReturnValue

from airflow_provider_close.sensors._waiting import CloseWaitingSensor
from airflow_provider_close.sensors.errors import CloseSensorError
from airflow_provider_close.watch.activity_query import (
    DEFAULT_LATE_LISTING,
    ActivityFilter,
    is_templated,
)

if TYPE_CHECKING:
    from airflow_provider_close.triggers.new_activity import CloseNewActivityTrigger
    from airflow_provider_close.watch.activity_count import ActivityCount
    from airflow_provider_close.watch.activity_query import SensorWindow

#: ``CloseSensorError`` (``sensors/errors.py``) stays importable from here, as before.
__all__ = ["CloseNewActivitySensor", "CloseSensorError"]

#: A manual run of a ``schedule=None`` DAG has no data interval: say what to give instead.
_NO_WINDOW_START = (
    "no watermark given and the run has no data_interval_start (a manual run, e.g. of a DAG "
    "with schedule=None, has no data interval). Give watermark=, e.g. "
    'watermark="{{ dag_run.run_after }}" to count what is created after the run was triggered '
    "(with no data interval the window has no end, as with open_ended=True), or schedule the "
    "DAG with a data-interval timetable (CronDataIntervalTimetable), whose runs carry one"
)


class CloseNewActivitySensor(CloseWaitingSensor):
    """Wait until at least ``min_count`` matching activities were created in a date window.

    The window is ``[watermark, upper_bound)`` on ``date_created``; by default the run's data
    interval, so consecutive runs and backfills see each activity exactly once. Pushes to
    XCom (return value) ``{"count", "activity_ids" (at most max_items, earliest first),
    "truncated", "watermark" (latest date_created seen), "satisfied"}``.

    A poke reads what it needs, not the whole window: it stops once ``min_count`` is reached
    and the earliest ``max_items`` ids are certain (``count`` is then "at least", and
    ``truncated`` is true; ``exact_count=True`` reads every page). The pokes of one run in
    poke mode, and the polls of the trigger, read only what is new since the previous one,
    re-reading the ``late_listing`` before the newest counted activity (reschedule mode starts
    each poke afresh).

    :param activity_types: ``call``, ``sms``, ``note``, ``email``, ``meeting`` (a list or a
        comma-separated string); None/empty for every activity type (templated). Filters
        without templates are validated when the DAG is parsed, the others before any request.
    :param lead_id: only this lead's activities (templated).
    :param user_id: only this user's activities (templated).
    :param contact_id: only activities with this contact (templated).
    :param watermark: lower bound; default the run's ``data_interval_start`` (templated).
    :param upper_bound: exclusive upper bound; default the run's ``data_interval_end``
        (templated).
    :param open_ended: ignore ``data_interval_end``: count everything after the watermark.
    :param include_watermark: count activities created exactly at the watermark (set False
        when chaining the ``watermark`` this sensor returned).
    :param min_count: how many activities satisfy the sensor.
    :param max_items: most ids pushed to XCom (``count`` and ``truncated`` tell the rest).
    :param exact_count: read the whole window so ``count`` is exact (costs a request per 100
        matching activities); default False: stop once ``min_count`` is certain.
    :param late_listing: how far before the newest counted activity a later poke or trigger
        poll re-reads, for activities Close lists late (default 5 minutes).
    :param close_conn_id: Airflow connection to Close (templated).
    :param max_transient_errors: consecutive transient errors the trigger tolerates.
    :param deferrable: wait in the triggerer instead of a worker slot (default:
        ``[operators] default_deferrable``).
    """

    template_fields: Sequence[str] = (
        "close_conn_id",
        "activity_types",
        "lead_id",
        "user_id",
        "contact_id",
        "watermark",
        "upper_bound",
    )

    def __init__(
        self,
        *,
        activity_types: str | Sequence[str] | None = None,
        lead_id: str | None = None,
        user_id: str | None = None,
        contact_id: str | None = None,
        watermark: datetime | str | None = None,
        upper_bound: datetime | str | None = None,
        open_ended: bool = False,
        include_watermark: bool = True,
        exact_count: bool = False,
        late_listing: timedelta = DEFAULT_LATE_LISTING,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not is_templated(activity_types, lead_id, user_id, contact_id):
            ActivityFilter.of(activity_types, lead_id, user_id, contact_id)  # fail at DAG parse
        self.activity_types = (
            activity_types if isinstance(activity_types, str | None) else list(activity_types)
        )
        self.lead_id = lead_id
        self.user_id = user_id
        self.contact_id = contact_id
        self.watermark = watermark
        self.upper_bound = upper_bound
        self.open_ended = open_ended
        self.include_watermark = include_watermark
        self.exact_count = exact_count
        self.late_listing = late_listing

    def check(self, context: Context) -> tuple[ActivityFilter, SensorWindow]:
        """Return the validated filter and window of this run (no request is sent).

        :param context: the task context (for the data interval defaults).
        :raises ValueError: invalid filters, or no watermark and no data interval.
        """
        from airflow_provider_close.watch.activity_query import SensorWindow

        activity_filter = ActivityFilter.of(
            self.activity_types, self.lead_id, self.user_id, self.contact_id
        )
        watermark, upper = self.run_window(
            context,
            self.watermark,
            self.upper_bound,
            open_ended=self.open_ended,
            no_start=_NO_WINDOW_START,
        )
        return activity_filter, SensorWindow(watermark, upper, self.include_watermark)

    def poke(self, context: Context) -> PokeReturnValue:
        """Poll with the sync client (what is new since the last poke) and evaluate once."""
        from airflow_provider_close.watch.activity_fetch import poll_activities

        activity_filter, window = self.check(context)
        result = poll_activities(self.hook.client, self._count_of(activity_filter, window))
        return self.poked(result, "activities")

    def _count_of(self, activity_filter: ActivityFilter, window: SensorWindow) -> ActivityCount:
        """Return the count the previous pokes of this run kept, or a new one."""
        from airflow_provider_close.watch.activity_count import ActivityCount

        count: ActivityCount | None = getattr(self, "_activity_count", None)
        if count is None or (count.activity_filter, count.window) != (activity_filter, window):
            count = ActivityCount(
                activity_filter,
                window,
                min_count=self.min_count,
                max_items=self.max_items,
                exact_count=self.exact_count,
                late_listing=self.late_listing,
            )
            self._activity_count = count
        return count

    def trigger_for(self, context: Context) -> CloseNewActivityTrigger:
        """Return the trigger that carries on this run's wait (secret-free kwargs)."""
        from airflow_provider_close.client.timestamps import format_moment
        from airflow_provider_close.triggers.new_activity import CloseNewActivityTrigger

        activity_filter, window = self.check(context)
        return CloseNewActivityTrigger(
            close_conn_id=self.close_conn_id,
            watermark=format_moment(window.watermark),
            upper_bound=format_moment(window.upper_bound) if window.upper_bound else None,
            include_watermark=window.include_watermark,
            activity_types=list(activity_filter.activity_types) or None,
            lead_id=activity_filter.lead_id,
            user_id=activity_filter.user_id,
            contact_id=activity_filter.contact_id,
            min_count=self.min_count,
            max_items=self.max_items,
            exact_count=self.exact_count,
            late_listing_seconds=self.late_listing.total_seconds(),
            poll_interval=float(self.poke_interval),
            max_transient_errors=self.max_transient_errors,
        )
