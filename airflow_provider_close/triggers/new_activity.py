"""CloseNewActivityTrigger: waits in the triggerer until enough new activities exist in Close.

It evaluates the same query plan and predicate as the sensor's ``poke``
(:mod:`~airflow_provider_close.watch.activity_query`,
:mod:`~airflow_provider_close.watch.activity_predicate`) on data fetched by the async
client. Its kwargs are JSON-safe and hold only the connection id, never the API key.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_close.client.timestamps import to_moment
from airflow_provider_close.triggers.polling import Poll, PollingTrigger
from airflow_provider_close.watch.activity_count import DEFAULT_LATE_LISTING, ActivityCount
from airflow_provider_close.watch.activity_fetch import apoll_activities
from airflow_provider_close.watch.activity_predicate import NewActivityResult
from airflow_provider_close.watch.activity_query import ActivityFilter, SensorWindow

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["CloseNewActivityTrigger"]


class CloseNewActivityTrigger(PollingTrigger[NewActivityResult]):
    """Poll Close until at least ``min_count`` matching activities were created in the window.

    Yields ``{"status": "success", **NewActivityResult}``, or ``{"status": "error",
    "error_type", "message"}`` on a fatal error (400/401/403...) or after more than
    ``max_transient_errors`` consecutive transient ones (5xx, transport, unknown).

    The first poll reads the window (stopping once ``min_count`` is certain unless
    ``exact_count``); every later poll reads only what came after the newest activity counted,
    minus ``late_listing_seconds`` re-read for activities Close lists late, dropping the ones
    already counted by id.

    :param close_conn_id: Airflow connection to Close.
    :param watermark: lower bound of ``date_created`` (ISO 8601).
    :param upper_bound: exclusive upper bound (ISO 8601), or None.
    :param include_watermark: count activities created exactly at the watermark.
    :param activity_types: per-type endpoints to watch; None/empty for every type.
    :param lead_id: only this lead's activities.
    :param user_id: only this user's activities.
    :param contact_id: only activities with this contact.
    :param min_count: how many activities satisfy the wait.
    :param max_items: how many ids the event lists.
    :param exact_count: read every page so ``count`` is exact.
    :param late_listing_seconds: how far before the newest counted activity later polls
        re-read.
    :param poll_interval: seconds between polls.
    :param max_transient_errors: consecutive transient errors tolerated.
    """

    kwarg_names = (
        "watermark",
        "upper_bound",
        "include_watermark",
        "activity_types",
        "lead_id",
        "user_id",
        "contact_id",
        "min_count",
        "max_items",
        "exact_count",
        "late_listing_seconds",
    )

    def __init__(
        self,
        *,
        watermark: str,
        upper_bound: str | None = None,
        include_watermark: bool = True,
        activity_types: list[str] | None = None,
        lead_id: str | None = None,
        user_id: str | None = None,
        contact_id: str | None = None,
        min_count: int = 1,
        max_items: int = 100,
        exact_count: bool = False,
        late_listing_seconds: float = DEFAULT_LATE_LISTING.total_seconds(),
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.watermark = watermark
        self.upper_bound = upper_bound
        self.include_watermark = include_watermark
        self.activity_types = activity_types
        self.lead_id = lead_id
        self.user_id = user_id
        self.contact_id = contact_id
        self.min_count = min_count
        self.max_items = max_items
        self.exact_count = exact_count
        self.late_listing_seconds = late_listing_seconds

    def check(self) -> tuple[ActivityFilter, SensorWindow]:
        """Return the validated filter and window (raises ValueError on bad input)."""
        activity_filter = ActivityFilter.of(
            self.activity_types, self.lead_id, self.user_id, self.contact_id
        )
        upper = to_moment(self.upper_bound) if self.upper_bound else None
        window = SensorWindow(to_moment(self.watermark), upper, self.include_watermark)
        return activity_filter, window

    def start(self) -> Poll[NewActivityResult]:
        """Return the poll of this wait: one :class:`ActivityCount` across every poll."""
        activity_filter, window = self.check()
        count = ActivityCount(
            activity_filter,
            window,
            min_count=self.min_count,
            max_items=self.max_items,
            exact_count=self.exact_count,
            late_listing=timedelta(seconds=self.late_listing_seconds),
        )

        async def poll(client: AsyncCloseClient) -> NewActivityResult:
            return await apoll_activities(client, count)

        return poll

    def outcome(self, polled: NewActivityResult) -> Mapping[str, Any] | None:
        """Return ``{"status": "success", **result}`` once satisfied, else ``None``."""
        return {"status": "success", **polled} if polled["satisfied"] else None

    def progress(self, polled: NewActivityResult) -> str:
        """Return ``<count> of <min_count> activities so far``."""
        return f"{polled['count']} of {self.min_count} activities so far"
