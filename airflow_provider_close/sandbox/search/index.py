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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.search.term_index import INDEXED_KINDS, TermIndex

__all__ = ["INDEXED_KINDS", "IndexedRecords", "SearchIndex"]

#: Every this many noted writes, entries whose writes are all visible are dropped.
_SWEEP_EVERY = 1000


class _SearchView(Mapping[str, Record]):
    """A store as search sees it, without copying it: stored objects, some shown as they were.

    Iterates in the order ``dict(stored)`` updated with the held-back versions would: stored
    objects in their place (minus the hidden), then objects only search still sees.
    Valid while the state lock is held.
    """

    def __init__(self, stored: Mapping[str, Record], shown: dict[str, Record], hidden: set[str]):
        self._stored = stored
        self._shown = shown
        self._hidden = hidden

    def __getitem__(self, key: str) -> Record:
        if key in self._shown:
            return self._shown[key]
        if key in self._hidden:
            raise KeyError(key)
        return self._stored[key]

    def __contains__(self, key: object) -> bool:
        if key in self._shown:
            return True
        return key not in self._hidden and key in self._stored

    def __iter__(self) -> Iterator[str]:
        hidden = self._hidden
        for key in self._stored:
            if key not in hidden:
                yield key
        for key in self._shown:
            if key not in self._stored:
                yield key

    def __len__(self) -> int:
        extra = sum(1 for key in self._shown if key not in self._stored)
        return len(self._stored) - len(self._hidden) + extra


@dataclass(frozen=True)
class IndexedRecords:
    """The records as search sees them: leads and contacts from the index, the rest stored.

    Read it with the state lock held (the views read the live stores).

    :param leads: lead id -> the lead as indexed.
    :param contacts: contact id -> the contact as indexed.
    :param opportunities: the stored opportunities (not lagged).
    :param stored: kind -> the stored leads and contacts (what ``terms`` indexes).
    :param terms: the stores' term index.
    :param stored_children: (kind, lead id) -> that lead's stored contacts or opportunities
        (``SandboxState.children``).
    :param held: kind -> ids whose indexed version differs from the stored one (or may),
        in the order they were first held back (none: the stores as they are).
    """

    leads: Mapping[str, Record]
    contacts: Mapping[str, Record]
    opportunities: Mapping[str, Record]
    stored: Mapping[str, Mapping[str, Record]]
    terms: TermIndex
    stored_children: Callable[[str, str], list[Record]]
    held: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> Mapping[str, Record]:
        """Return the view of ``lead`` or ``contact``."""
        return self.leads if kind == "lead" else self.contacts

    def children_of(self, kind: str, lead_id: Any) -> list[Record]:
        """Return the contacts or opportunities (``kind``) of a lead as search sees them.

        The lead's stored children that the lag does not hold back, then the held-back ones
        whose searched version is under the lead (a relation is matched with ``any``, so
        this order need not be the store's).

        :param kind: ``contact`` or ``opportunity``.
        :param lead_id: the lead's id.
        """
        view = self.contacts if kind == "contact" else self.opportunities
        held = self.held.get(kind, ())
        late = set(held)
        found = [
            view[r["id"]]
            for r in self.stored_children(kind, str(lead_id))
            if r["id"] not in late and r["id"] in view
        ]
        return found + [view[i] for i in held if i in view and view[i].get("lead_id") == lead_id]


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
        #: What equality searches narrow by (the stores, kept current by :meth:`written`).
        self.terms = TermIndex()

    def __len__(self) -> int:
        """Return how many objects have writes held back (landed ones until swept)."""
        with self._lock:
            return len(self._pending)

    def clear(self) -> None:
        """Make every write visible at once (after a reset or a seed, whose data is old)."""
        with self._lock:
            self._pending.clear()
            self.terms.clear()

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
            self.terms.written(kind, object_id, after)
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

    def _visible(
        self, kind: str, stored: Mapping[str, Record]
    ) -> tuple[_SearchView, tuple[str, ...]]:
        now = self._now()
        shown: dict[str, Record] = {}
        hidden: set[str] = set()
        held: list[str] = []
        for (pending_kind, object_id), pending in list(self._pending.items()):
            if pending_kind != kind:
                continue
            version = pending.before
            landed = [write for write in pending.writes if write[0] <= now]
            if landed:
                version = landed[-1][1]
            if len(landed) == len(pending.writes):  # search now sees the stored version
                del self._pending[(pending_kind, object_id)]
            else:
                held.append(object_id)
            if version is None:
                hidden.add(object_id)
            else:
                shown[object_id] = version
        hidden &= stored.keys()
        return _SearchView(stored, shown, hidden), tuple(held)

    def records(
        self,
        leads: Mapping[str, Record],
        contacts: Mapping[str, Record],
        opportunities: Mapping[str, Record],
        children: Callable[[str, str], list[Record]],
    ) -> IndexedRecords:
        """Return what search sees now, given the stores (call with the state lock held).

        :param leads: the stored leads.
        :param contacts: the stored contacts.
        :param opportunities: the stored opportunities.
        :param children: (kind, lead id) -> the lead's stored children (``SandboxState.children``).
        """
        with self._lock:
            lead_view, held_leads = self._visible("lead", leads)
            contact_view, held_contacts = self._visible("contact", contacts)
            return IndexedRecords(
                lead_view,
                contact_view,
                opportunities,
                stored={"lead": leads, "contact": contacts},
                terms=self.terms,
                stored_children=children,
                held={"lead": held_leads, "contact": held_contacts},
            )
