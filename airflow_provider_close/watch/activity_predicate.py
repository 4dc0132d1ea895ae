"""The one check behind both the sensor's ``poke`` and the trigger's ``run`` (pure).

Activities fetched by either driver (sync or async client) are fed to an
:class:`ActivityTally`, which keeps bounded state (a count, the first ``max_items`` ids in
(date_created, id) order, the latest date) and re-checks every filter client-side, so a row
Close sent that does not match is never counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypedDict

from airflow_provider_close.client.timestamps import parse_moment
from airflow_provider_close.watch.activity_query import ActivityFilter, SensorWindow
from airflow_provider_close.watch.earliest import EarliestKeys, checked_min_count

__all__ = ["ActivityTally", "NewActivityResult", "evaluate_activities"]

#: Close's ``_type`` for each per-type endpoint.
_TYPE_NAMES = {"call": "Call", "sms": "SMS", "note": "Note", "email": "Email", "meeting": "Meeting"}


class NewActivityResult(TypedDict):
    """What the sensor reports (JSON-safe; pushed to XCom when satisfied).

    :param satisfied: at least ``min_count`` matching activities were found.
    :param count: every matching activity found, not only the listed ones.
    :param activity_ids: the first ``max_items`` ids by (date_created, id).
    :param truncated: more matching activities may exist than the ids listed: ``count``
        exceeds them, or reading stopped once ``min_count`` was certain (``count`` is then
        "at least"; ``exact_count=True`` reads every page).
    :param watermark: the latest ``date_created`` seen (ISO, UTC), or None when none matched.
    """

    satisfied: bool
    count: int
    activity_ids: list[str]
    truncated: bool
    watermark: str | None


class ActivityTally:
    """Counts matching activities with memory bounded by ``max_items``.

    :param activity_filter: the filter every counted activity must match.
    :param window: the creation-date window.
    :param max_items: how many ids to keep (at least 1).
    """

    def __init__(
        self, activity_filter: ActivityFilter, window: SensorWindow, max_items: int
    ) -> None:
        self._filter = activity_filter
        self._window = window
        self._types = {_TYPE_NAMES[t] for t in activity_filter.activity_types}
        self._kept = EarliestKeys(max_items)
        self.count = 0

    @property
    def latest(self) -> datetime | None:
        """The latest ``date_created`` counted, or None."""
        return self._kept.latest

    @property
    def first_keys(self) -> list[tuple[datetime, str]]:
        """The (date_created, id) of the ids kept so far, earliest first (do not modify)."""
        return self._kept.keys

    def add(self, activity: dict[str, Any]) -> None:
        """Count ``activity`` if it matches the filter and the window.

        :param activity: one activity as Close lists it (needs ``id`` and ``date_created``).
        """
        moment = parse_moment(activity.get("date_created"))
        if not self._matches(activity, moment):
            return
        self.count += 1
        self._kept.add(moment, str(activity["id"]))

    def result(self, min_count: int) -> NewActivityResult:
        """Return the verdict for ``min_count``.

        :param min_count: how many matching activities satisfy the sensor (at least 1).
        """
        return NewActivityResult(
            satisfied=self.count >= checked_min_count(min_count),
            count=self.count,
            activity_ids=self._kept.ids,
            truncated=self.count > len(self._kept.keys),
            watermark=self._kept.watermark,
        )

    def _matches(self, activity: dict[str, Any], moment: datetime) -> bool:
        if self._types and activity.get("_type") not in self._types:
            return False
        wanted = self._filter.id_filters()
        if any(activity.get(name) != value for name, value in wanted.items()):
            return False
        return self._window.contains(moment)


def evaluate_activities(
    activities: Iterable[dict[str, Any]],
    activity_filter: ActivityFilter,
    window: SensorWindow,
    *,
    min_count: int,
    max_items: int,
) -> NewActivityResult:
    """Return the verdict on a stream of fetched activities.

    :param activities: activities as Close listed them (any order, any endpoint).
    :param activity_filter: what counts.
    :param window: the creation-date window.
    :param min_count: how many matching activities satisfy the sensor.
    :param max_items: how many ids to report.
    """
    tally = ActivityTally(activity_filter, window, max_items)
    for activity in activities:
        tally.add(activity)
    return tally.result(min_count)
