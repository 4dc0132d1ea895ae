"""The search index lag: what ``/data/search/`` and ``GET /lead/?query=`` see (close-api.md §9b).

Close's search runs on an index that trails writes; reads by id and plain lists do not. The
sandbox models it with :class:`SearchIndex`: every write to a lead or contact is noted with
the moment it becomes visible to search (the sandbox clock's now plus the lag in force when
it was written). Until then search sees the object as it was before the write: a created
object is missing, an updated one is stale (its old values), a deleted one is still found.
Writes are made visible in order, per object. Other object types are searched as stored.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from airflow_provider_close.sandbox.records import Record

__all__ = ["INDEXED_KINDS", "IndexedRecords", "SearchIndex"]

#: The stores whose writes reach search only after the lag.
INDEXED_KINDS = ("lead", "contact")
#: Every this many noted writes, entries whose writes are all visible are dropped.
_SWEEP_EVERY = 1000


@dataclass(frozen=True)
class IndexedRecords:
    """The records as search sees them: leads and contacts from the index, the rest stored.

    :param leads: lead id -> the lead as indexed.
    :param contacts: contact id -> the contact as indexed.
    :param opportunities: the stored opportunities (not lagged).
    """

    leads: Mapping[str, Record]
    contacts: Mapping[str, Record]
    opportunities: Mapping[str, Record]


@dataclass
class _Pending:
    """Writes of one object not all visible yet: the version before them, then each write."""

    before: Record | None
    writes: list[tuple[datetime, Record | None]] = field(default_factory=list)


class SearchIndex:
    """The writes to leads and contacts that search does not see yet.

    :param now: the sandbox clock.
    """

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._writes = 0
        self.lag_seconds = 0.0

    def __len__(self) -> int:
        """Return how many objects have writes held back (landed ones until swept)."""
        with self._lock:
            return len(self._pending)

    def clear(self) -> None:
        """Make every write visible at once (after a reset or a seed, whose data is old)."""
        with self._lock:
            self._pending.clear()

    def written(
        self, kind: str, object_id: str, before: Record | None, after: Record | None
    ) -> None:
        """Note one write (``before`` None: a create; ``after`` None: a delete).

        :param kind: the store written (only ``lead`` and ``contact`` lag).
        :param object_id: the object's id.
        :param before: the version search saw until now.
        :param after: the new version.
        """
        key = (kind, object_id)
        with self._lock:
            now = self._now()
            self._forget_landed(now, key)
            if kind not in INDEXED_KINDS or (self.lag_seconds <= 0 and key not in self._pending):
                return
            pending = self._pending.setdefault(key, _Pending(copy.deepcopy(before)))
            visible_at = now + timedelta(seconds=max(self.lag_seconds, 0.0))
            pending.writes.append((visible_at, copy.deepcopy(after)))
            self._writes += 1
            if self._writes % _SWEEP_EVERY == 0:  # bounded memory without searches
                for other in list(self._pending):
                    self._forget_landed(now, other)

    def _forget_landed(self, now: datetime, key: tuple[str, str]) -> None:
        """Drop an object's entry once all its writes are visible (search reads the store)."""
        pending = self._pending.get(key)
        if pending is not None and all(moment <= now for moment, _ in pending.writes):
            del self._pending[key]

    def _visible(self, kind: str, stored: Mapping[str, Record]) -> dict[str, Record]:
        now = self._now()
        seen = dict(stored)
        for (pending_kind, object_id), pending in list(self._pending.items()):
            if pending_kind != kind:
                continue
            version = pending.before
            landed = [write for write in pending.writes if write[0] <= now]
            if landed:
                version = landed[-1][1]
            if len(landed) == len(pending.writes):
                del self._pending[(pending_kind, object_id)]
            if version is None:
                seen.pop(object_id, None)
            else:
                seen[object_id] = version
        return seen

    def records(
        self,
        leads: Mapping[str, Record],
        contacts: Mapping[str, Record],
        opportunities: Mapping[str, Record],
    ) -> IndexedRecords:
        """Return what search sees now, given the stores (call with the state lock held).

        :param leads: the stored leads.
        :param contacts: the stored contacts.
        :param opportunities: the stored opportunities.
        """
        with self._lock:
            return IndexedRecords(
                self._visible("lead", leads), self._visible("contact", contacts), opportunities
            )
