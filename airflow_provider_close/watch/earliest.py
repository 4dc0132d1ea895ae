"""EarliestKeys: the first ``max_items`` (moment, id) keys of a count, and its latest moment.

Both tallies (activities, events) report at most ``max_items`` of what they counted, earliest
first, plus the latest moment seen; this keeps exactly that, in memory bounded by
``max_items`` however many items are counted (pure).
"""

from __future__ import annotations

import bisect
from datetime import datetime

from airflow_provider_close.client.timestamps import format_moment

__all__ = ["EarliestKeys", "checked_min_count"]


def checked_min_count(min_count: int) -> int:
    """Return ``min_count``; raise ``ValueError`` unless it is at least 1."""
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    return min_count


class EarliestKeys:
    """The earliest ``max_items`` keys added, in (moment, id) order, and the latest moment.

    :param max_items: how many keys to keep (at least 1).
    """

    def __init__(self, max_items: int) -> None:
        if max_items < 1:
            raise ValueError(f"max_items must be at least 1, got {max_items}")
        self.max_items = max_items
        self.keys: list[tuple[datetime, str]] = []
        self.latest: datetime | None = None

    def add(self, moment: datetime, identifier: str) -> list[str] | None:
        """Note one counted item; return ``None`` if it is not kept, else the ids it pushed out.

        :param moment: the item's date.
        :param identifier: the item's id.
        """
        self.latest = moment if self.latest is None else max(self.latest, moment)
        key = (moment, identifier)
        if len(self.keys) >= self.max_items and key >= self.keys[-1]:
            return None
        bisect.insort(self.keys, key)
        dropped = [kept for _, kept in self.keys[self.max_items :]]
        del self.keys[self.max_items :]
        return dropped

    @property
    def ids(self) -> list[str]:
        """The ids kept, earliest first."""
        return [identifier for _, identifier in self.keys]

    @property
    def watermark(self) -> str | None:
        """The latest moment added (ISO, UTC), or None when nothing was added."""
        return format_moment(self.latest) if self.latest else None
