"""In-memory state of one sandboxed Close organization (moto's ``models``): no HTTP here."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from airflow_provider_close.sandbox.errors import NotFound
from airflow_provider_close.sandbox.events import EventDraft, RequestMeta, make_event
from airflow_provider_close.sandbox.ids import IdFactory
from airflow_provider_close.sandbox.lead_children import CHILD_KINDS, LeadChildren
from airflow_provider_close.sandbox.limits import PageLimits
from airflow_provider_close.sandbox.org import OrgRecords, fresh_org
from airflow_provider_close.sandbox.records import (
    ACTIVITY_TYPE_NAMES,
    Kind,
    Record,
    changed_fields,
    event_object_type,
)
from airflow_provider_close.sandbox.search.index import IndexedRecords, SearchIndex
from airflow_provider_close.sandbox.timestamps import format_timestamp, parse_moment

__all__ = ["CUSTOM_FIELD_OBJECT_TYPES", "SandboxState"]

#: Object types that carry custom fields, keys of ``SandboxState.custom_fields``.
CUSTOM_FIELD_OBJECT_TYPES = ("lead", "contact", "opportunity", "activity")


class SandboxState:
    """Every object of the sandboxed organization, guarded by one re-entrant lock.

    Writes go through :meth:`add`, :meth:`change` and :meth:`remove`, which also log events.
    Readers in other threads should hold :attr:`lock` while iterating the stores.
    :attr:`revision` grows on every write; code writing the stores directly must bump it.

    :param now: the clock (returns an aware UTC datetime).
    :param limits: pagination limits; replaceable at runtime.
    :param rng_seed: seed for ids and demo data, so runs are reproducible.
    """

    def __init__(
        self, *, now: Callable[[], datetime], limits: PageLimits, rng_seed: int = 0
    ) -> None:
        self.now = now
        self.limits = limits
        self.rng_seed = rng_seed
        self.lock = threading.RLock()
        #: What search sees of leads and contacts (it trails writes by ``lag_seconds``).
        self.search_index = SearchIndex(now)
        #: Each lead's contacts, opportunities and tasks (what ``render_lead`` embeds).
        self.lead_children = LeadChildren()
        self.reset()

    def reset(self) -> None:
        """Wipe everything back to a fresh org: one user ("me"), default statuses, no leads."""
        with self.lock:
            self.ids = IdFactory(self.rng_seed)
            org: OrgRecords = fresh_org(self.ids, self.timestamp())
            self.organization: Record = org.organization
            self.me: Record = org.me
            self.users: dict[str, Record] = {org.me["id"]: org.me}
            self.lead_statuses: dict[str, Record] = org.lead_statuses
            self.opportunity_statuses: dict[str, Record] = org.opportunity_statuses
            self.pipelines: dict[str, Record] = org.pipelines
            self.phone_numbers: dict[str, Record] = org.phone_numbers
            self.internal_phone: str = org.internal_phone
            self.custom_fields: dict[str, dict[str, Record]] = {
                object_type: {} for object_type in CUSTOM_FIELD_OBJECT_TYPES
            }
            self.leads: dict[str, Record] = {}
            self.contacts: dict[str, Record] = {}
            self.opportunities: dict[str, Record] = {}
            self.tasks: dict[str, Record] = {}
            self.activities: dict[str, Record] = {}
            #: Custom activity types, custom object types and instances (``models/custom_*``).
            self.custom_activity_types: dict[str, Record] = {}
            self.custom_object_types: dict[str, Record] = {}
            self.custom_objects: dict[str, Record] = {}
            self.events: dict[str, Record] = {}
            self.search_index.clear()
            self.lead_children.clear()
            self.exports: dict[str, Record] = {}
            #: Sandbox-clock seconds an export takes to finish (see ``sandbox.exports``).
            self.export_seconds: float = 10.0
            #: Bulk edits (``sandbox.bulk_actions``) and sequences (``sandbox.sequences``).
            self.bulk_edits: dict[str, Record] = {}
            self.bulk_action_seconds: float = 10.0
            self.sequences: dict[str, Record] = {}
            self.sequence_subscriptions: dict[str, Record] = {}
            # Monotonic across resets, so caches keyed on it never see a stale hit.
            self.revision: int = getattr(self, "revision", 0) + 1

    @property
    def organization_id(self) -> str:
        """The id of the sandboxed organization."""
        return str(self.organization["id"])

    def timestamp(self) -> str:
        """Return the clock's current time in Close's object timestamp format."""
        return format_timestamp(self.now())

    def new_id(self, prefix: str) -> str:
        """Return a fresh id with ``prefix`` (e.g. ``"lead"``).

        :param prefix: the id prefix without underscore.
        """
        with self.lock:
            return self.ids.new(prefix)

    def store(self, kind: Kind) -> dict[str, Record]:
        """Return the store of ``kind``.

        :param kind: ``lead``, ``contact``, ``opportunity``, ``task``, ``activity`` or
            ``custom_object``.
        """
        stores: dict[str, dict[str, Record]] = {
            "lead": self.leads,
            "contact": self.contacts,
            "opportunity": self.opportunities,
            "task": self.tasks,
            "activity": self.activities,
            "custom_object": self.custom_objects,
        }
        return stores[kind]

    def get(self, kind: Kind, object_id: str) -> Record:
        """Return the stored record, or raise Close's 404.

        :param kind: the store.
        :param object_id: the id.
        :raises NotFound: no such object.
        """
        record = self.store(kind).get(object_id)
        if record is None:
            raise NotFound(f"Empty query: {kind} {object_id} does not exist.")
        return record

    def add(self, kind: Kind, record: Record, meta: RequestMeta | None = None) -> Record:
        """Store a new record and log its ``created`` event.

        :param kind: the store.
        :param record: the complete record (with its ``id``).
        :param meta: the request that created it.
        """
        with self.lock:
            self.store(kind)[record["id"]] = record
            self.revision += 1
            self.search_index.written(kind, record["id"], None, record)
            self.lead_children.written(kind, record["id"], record)
            self._log(EventDraft(event_object_type(kind, record), "created", record, {}, []), meta)
        return record

    def change(
        self, kind: Kind, record: Record, meta: RequestMeta | None = None, action: str = "updated"
    ) -> Record:
        """Replace a stored record by a new version and log the change.

        :param kind: the store.
        :param record: the new version (same ``id``).
        :param meta: the request that changed it.
        :param action: the event action (``updated``, or e.g. ``sent``/``completed``).

        ``date_updated`` is set to now unless the caller already moved it.
        """
        with self.lock:
            before = self.get(kind, record["id"])
            if "date_updated" in before and record.get("date_updated") == before["date_updated"]:
                record["date_updated"] = self.timestamp()  # every change moves date_updated
            changed = changed_fields(before, record)
            self.store(kind)[record["id"]] = record
            self.revision += 1
            self.search_index.written(kind, record["id"], before, record)
            self.lead_children.written(kind, record["id"], record)
            previous = {name: before.get(name) for name in changed}
            draft = EventDraft(event_object_type(kind, record), action, record, previous, changed)
            self._log(draft, meta)
        return record

    def remove(self, kind: Kind, object_id: str, meta: RequestMeta | None = None) -> Record:
        """Delete a stored record and log its ``deleted`` event.

        :param kind: the store.
        :param object_id: the id.
        :param meta: the request that deleted it.
        :raises NotFound: no such object.
        """
        with self.lock:
            record = self.get(kind, object_id)
            del self.store(kind)[object_id]
            self.revision += 1
            self.search_index.written(kind, object_id, record, None)
            self.lead_children.written(kind, object_id, None)
            self._log(
                EventDraft(event_object_type(kind, record), "deleted", record, record, []), meta
            )
        return record

    def children(self, kind: str, lead_id: str) -> list[Record]:
        """Return the stored contacts, opportunities or tasks of a lead, in store order.

        :param kind: ``contact``, ``opportunity`` or ``task``.
        :param lead_id: the lead.
        :raises ValueError: another kind.
        """
        if kind not in CHILD_KINDS:
            raise ValueError(f"kind must be one of {CHILD_KINDS}, got {kind!r}")
        with self.lock:
            return self.lead_children.of(kind, lead_id, self.store(cast(Kind, kind)))

    def search_records(self) -> IndexedRecords:
        """Return the leads, contacts and opportunities as search sees them now."""
        with self.lock:
            return self.search_index.records(
                self.leads, self.contacts, self.opportunities, self.children
            )

    def stored_records(self) -> IndexedRecords:
        """Return the leads, contacts and opportunities as stored (no search lag: exports)."""
        return IndexedRecords(
            self.leads,
            self.contacts,
            self.opportunities,
            stored={"lead": self.leads, "contact": self.contacts},
            terms=self.search_index.terms,
            stored_children=self.children,
        )

    def _log(self, draft: EventDraft, meta: RequestMeta | None) -> None:
        event = make_event(
            draft,
            event_id=self.ids.new("ev"),
            moment=self.now(),
            organization_id=self.organization_id,
            user_id=self.me["id"],
            meta=meta,
        )
        self.events[event["id"]] = event

    def insert_activity(self, kind: str, *, log_event: bool = False, **fields: Any) -> Record:
        """Store an activity directly (no validation, no HTTP): for seeds and benchmarks.

        The record has the shape the HTTP endpoints produce; ``fields`` override the defaults.
        ``date_created``/``activity_at`` may be datetimes or strings.

        :param kind: activity slug, e.g. ``"call"``, ``"sms"``, ``"note"``.
        :param log_event: also log a ``created`` event (off by default, for speed).
        :param fields: field values of the record.
        """
        with self.lock:
            record = self._activity_defaults(kind)
            record.update({key: _stamp(key, value) for key, value in fields.items()})
            record.setdefault("activity_at", record["date_created"])
            if log_event:
                return self.add("activity", record)
            self.activities[record["id"]] = record
            self.revision += 1
            return record

    def _activity_defaults(self, kind: str) -> Record:
        stamp = self.timestamp()
        me = self.me
        return {
            "id": self.ids.new("acti"),
            "_type": ACTIVITY_TYPE_NAMES.get(kind, kind),
            "lead_id": None,
            "contact_id": None,
            "user_id": me["id"],
            "user_name": f"{me['first_name']} {me['last_name']}",
            "users": [],
            "organization_id": self.organization_id,
            "created_by": me["id"],
            "created_by_name": f"{me['first_name']} {me['last_name']}",
            "updated_by": me["id"],
            "updated_by_name": f"{me['first_name']} {me['last_name']}",
            "date_created": stamp,
            "date_updated": stamp,
        }


def _stamp(key: str, value: Any) -> Any:
    if not (key.startswith("date_") or key.endswith("_at")):
        return value
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, str) and len(value) > 10:
        moment = parse_moment(value)
        return format_timestamp(moment) if moment else value
    return value
