"""The new-activity count kept across polls, so a poll reads what is new, not the window (pure).

One :class:`ActivityCount` lives as long as its waiter: across the pokes of one sensor
``execute`` in poke mode, across the polls of one trigger ``run``. Each poll walks every query
of the plan with a :class:`~.activity_walk.KeysetWalk`:

* **First poll**: from the window's watermark. When only ``min_count`` matters
  (``exact_count=False``), a query stops being read once the count reached ``min_count`` and
  the earliest ``max_items`` ids are certain (no later row can displace them): one or two
  pages per query, whatever the window holds.
* **Later polls** (the first one found too few, so it read everything): from
  ``newest counted - late_listing`` per query, the rows already counted dropped by id. An
  activity that Close lists late, up to ``late_listing`` after a newer one it listed before
  (Close's own advice for its ordered feeds is to re-scan the latest 5 minutes, close-api.md
  §events), is still counted; a poll with nothing new costs one request per query when fewer
  than a page of activities were created in that span.

Memory is bounded: the first ``max_items`` ids, and per query the ids counted within
``late_listing`` of its newest row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from airflow_provider_close.client.resources import max_page_size
from airflow_provider_close.client.timestamps import format_moment, parse_moment
from airflow_provider_close.watch.activity_predicate import ActivityTally, NewActivityResult
from airflow_provider_close.watch.activity_query import (
    DEFAULT_LATE_LISTING,
    ActivityFilter,
    ActivityQuery,
    SensorWindow,
    activity_queries,
)
from airflow_provider_close.watch.activity_walk import KeysetWalk

__all__ = ["DEFAULT_LATE_LISTING", "ActivityCount"]


@dataclass
class _QueryProgress:
    """What one query of the plan has counted: its newest row and the ids near it."""

    query: ActivityQuery
    newest: datetime | None = None
    recent: dict[str, datetime] = field(default_factory=dict)


class ActivityCount:
    """Counts matching activities of a window across polls, each activity once.

    :param activity_filter: what counts.
    :param window: the creation-date window.
    :param min_count: how many activities satisfy the wait (at least 1).
    :param max_items: how many ids to report (at least 1).
    :param exact_count: read every page, so ``count`` is exact, not "at least min_count".
    :param late_listing: how far before its newest counted row a later poll re-reads.
    """

    def __init__(
        self,
        activity_filter: ActivityFilter,
        window: SensorWindow,
        *,
        min_count: int,
        max_items: int,
        exact_count: bool = False,
        late_listing: timedelta = DEFAULT_LATE_LISTING,
    ) -> None:
        if min_count < 1:
            raise ValueError(f"min_count must be at least 1, got {min_count}")
        if late_listing < timedelta(0):
            raise ValueError(f"late_listing must not be negative, got {late_listing}")
        self.activity_filter = activity_filter
        self.window = window
        self.min_count = min_count
        self.exact_count = exact_count
        self.late_listing = late_listing
        self._tally = ActivityTally(activity_filter, window, max_items)
        self._max_items = max_items
        self._progress = [_QueryProgress(q) for q in activity_queries(activity_filter, window)]
        self._stopped_early = False

    def walks(self) -> list[KeysetWalk]:
        """Return this poll's walks, one per query (each from where that query re-reads)."""
        return [self._walk(progress) for progress in self._progress]

    def take(self, walk: KeysetWalk, rows: list[dict[str, Any]]) -> None:
        """Count the rows a walk returned that were not counted before.

        :param walk: one of :meth:`walks` (its query's progress is updated).
        :param rows: what :meth:`KeysetWalk.on_page` returned.
        """
        progress = self._of(walk)
        for row in rows:
            identifier = str(row["id"])
            if identifier in progress.recent:
                continue
            moment = parse_moment(row.get("date_created"))
            progress.recent[identifier] = moment
            self._tally.add(row)
        if walk.last_moment is not None:
            newest = progress.newest
            progress.newest = walk.last_moment if newest is None else max(newest, walk.last_moment)
            self._forget_before(progress, progress.newest - self.late_listing)

    def has_enough(self, walk: KeysetWalk) -> bool:
        """Return whether ``walk`` may stop before its end (the verdict cannot change).

        :param walk: a walk of this poll.
        """
        if walk.done or self.exact_count or self._tally.count < self.min_count:
            return False
        first = self._tally.first_keys
        position = walk.last_moment
        certain = len(first) >= self._max_items and position is not None
        if certain and first[-1][0] < position:  # type: ignore[operator]
            self._stopped_early = True
            return True
        return False

    def result(self) -> NewActivityResult:
        """Return the verdict so far (``truncated`` when reading stopped early)."""
        verdict = self._tally.result(self.min_count)
        if self._stopped_early:
            verdict["truncated"] = True
        return verdict

    def _walk(self, progress: _QueryProgress) -> KeysetWalk:
        params = dict(progress.query["params"])
        path = progress.query["path"]
        if progress.newest is not None:
            since = max(self.window.watermark, progress.newest - self.late_listing)
            op = "gte" if self.window.include_watermark or since > self.window.watermark else "gt"
            params.pop("date_created__gte", None)
            params.pop("date_created__gt", None)
            params[f"date_created__{op}"] = format_moment(since)
        return KeysetWalk(path, params, max_page_size(path))

    def _of(self, walk: KeysetWalk) -> _QueryProgress:
        for progress in self._progress:
            if progress.query["path"] == walk.path:
                return progress
        raise ValueError(f"{walk.path} is not a query of this count")

    @staticmethod
    def _forget_before(progress: _QueryProgress, cutoff: datetime) -> None:
        """Drop ids no later poll can list again (older than its re-read start).

        Ids arrive in ascending date order (late ones excepted), so the oldest are first.
        """
        recent = progress.recent
        while recent:
            oldest = next(iter(recent))
            if recent[oldest] >= cutoff:
                return
            del recent[oldest]
