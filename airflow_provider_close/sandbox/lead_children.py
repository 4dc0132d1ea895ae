"""Each lead's contacts, opportunities and tasks, without scanning their stores.

Close returns a lead with its contacts, opportunities and open tasks embedded, on every read
and every write. Found by scanning the three stores, each rendered lead cost as much as the
organisation's size: with 100,000 contacts, every ``POST /lead/`` and every lead of a page
walked all of them. :class:`LeadChildren` keeps, per kind, lead id -> child ids, kept current
by ``SandboxState.add``/``change``/``remove`` (the only writers of those stores), and each
child's place in its store, so children come back in the order a scan gives. Built on first
use and dropped by :meth:`clear` (a reset). Reads check each child against its store,
so an entry left by a write that bypassed the state's methods is skipped, never returned.
"""

from __future__ import annotations

from collections.abc import Mapping

from airflow_provider_close.sandbox.records import Record

__all__ = ["CHILD_KINDS", "LeadChildren"]

#: The stores whose records a lead embeds (activities are not embedded, and are also stored
#: directly by seeds, so they stay scanned where they are needed).
CHILD_KINDS = ("contact", "opportunity", "task")


class LeadChildren:
    """Per kind: lead id -> {child id: place}; used with the state lock held."""

    def __init__(self) -> None:
        self._by_lead: dict[str, dict[str, dict[str, int]]] = {}
        self._lead_of: dict[str, dict[str, str]] = {}
        self._next_place = 0

    def clear(self) -> None:
        """Forget everything (the stores were replaced)."""
        self._by_lead.clear()
        self._lead_of.clear()

    def _built(self, kind: str, store: Mapping[str, Record]) -> dict[str, dict[str, int]]:
        by_lead = self._by_lead.get(kind)
        if by_lead is None:
            by_lead = self._by_lead[kind] = {}
            self._lead_of[kind] = {}
            for child_id, record in store.items():
                self._put(kind, child_id, record)
        return by_lead

    def _put(self, kind: str, child_id: str, record: Record | None) -> None:
        by_lead, lead_of = self._by_lead[kind], self._lead_of[kind]
        place = None
        old_lead = lead_of.pop(child_id, None)
        if old_lead is not None:
            place = by_lead[old_lead].pop(child_id)
            if not by_lead[old_lead]:
                del by_lead[old_lead]
        lead_id = None if record is None else record.get("lead_id")
        if record is None or lead_id is None:
            return
        if place is None:  # a store keeps a replaced key's place; a new key goes last
            place, self._next_place = self._next_place, self._next_place + 1
        by_lead.setdefault(str(lead_id), {})[child_id] = place
        lead_of[child_id] = str(lead_id)

    def written(self, kind: str, child_id: str, after: Record | None) -> None:
        """Note a stored write (``after`` None: a delete) if that kind's index is built.

        :param kind: the store written.
        :param child_id: the record's id.
        :param after: its new stored version.
        """
        if kind in self._by_lead:
            self._put(kind, child_id, after)

    def of(self, kind: str, lead_id: str, store: Mapping[str, Record]) -> list[Record]:
        """Return the stored records of ``kind`` under ``lead_id``, in store order.

        :param kind: one of :data:`CHILD_KINDS`.
        :param lead_id: the lead.
        :param store: that kind's store (read once, to build the index, and to read children).
        """
        places = self._built(kind, store).get(lead_id, {})
        found = [(place, store.get(child_id)) for child_id, place in places.items()]
        found.sort(key=lambda pair: pair[0])
        return [r for _, r in found if r is not None and r.get("lead_id") == lead_id]
