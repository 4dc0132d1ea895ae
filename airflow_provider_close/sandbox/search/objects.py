"""The searchable objects of Advanced Filtering and their field values and relations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.records import Record

__all__ = [
    "SearchObject",
    "SearchSource",
    "field_values",
    "related_objects",
    "searchable_objects",
]


class SearchSource(Protocol):
    """The records a search runs on: ``SandboxState.search_records()`` (lagging the stores)."""

    @property
    def leads(self) -> Mapping[str, Record]:
        """Lead id -> lead."""

    @property
    def contacts(self) -> Mapping[str, Record]:
        """Contact id -> contact."""

    @property
    def opportunities(self) -> Mapping[str, Record]:
        """Opportunity id -> opportunity."""

    def children_of(self, kind: str, lead_id: Any) -> list[Record]:
        """Return the contacts or opportunities (``kind``) of a lead."""


@dataclass(frozen=True)
class SearchObject:
    """One object a query node is evaluated on.

    :param object_type: ``lead``, ``contact``, ``opportunity``, ``address``,
        ``contact_email`` or ``contact_phone``.
    :param record: its data.
    :param parent_id: the owning lead/contact id for nested pseudo-objects.
    """

    object_type: str
    record: Mapping[str, Any]
    parent_id: str | None = None


_LIST_FIELDS = {"emails": "email", "phones": "phone", "urls": "url"}


def searchable_objects(state: SearchSource) -> list[SearchObject]:
    """Return every lead and contact (the object types ``/data/search/`` returns).

    :param state: the records as search sees them.
    """
    leads = [SearchObject("lead", lead) for lead in state.leads.values()]
    return leads + [SearchObject("contact", contact) for contact in state.contacts.values()]


def field_values(obj: SearchObject, field: Any) -> list[Any]:
    """Return the values of a ``regular_field`` / ``custom_field`` on ``obj`` (as a list).

    :param obj: the object.
    :param field: the field node.
    :raises BadRequest: a malformed field node.
    """
    if not isinstance(field, dict):
        raise BadRequest("A field_condition needs a field object.")
    if field.get("type") == "custom_field":
        field_id = str(field.get("custom_field_id") or "")
        key = f"custom.{field_id if field_id.startswith('cf_') else 'cf_' + field_id}"
        value = obj.record.get(key, obj.record.get(f"custom.{field_id}"))
    elif field.get("type") == "regular_field":
        if field.get("object_type") not in (None, obj.object_type):
            return []
        name = str(field.get("field_name") or "")
        value = obj.record.get(name)
        if name in _LIST_FIELDS and isinstance(value, list):
            value = [item.get(_LIST_FIELDS[name]) for item in value]
    else:
        raise BadRequest(f"Unsupported field type: {field.get('type')!r}.")
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _nested(obj: SearchObject, key: str, object_type: str) -> list[SearchObject]:
    items: list[Record] = list(obj.record.get(key) or [])
    return [SearchObject(object_type, item, str(obj.record["id"])) for item in items]


def related_objects(
    state: SearchSource, obj: SearchObject, related_type: str
) -> list[SearchObject]:
    """Return the objects of ``related_type`` linked to ``obj`` (for ``has_related``).

    :param state: the records as search sees them.
    :param obj: the object.
    :param related_type: ``lead``, ``contact``, ``opportunity``, ``address``,
        ``contact_email`` or ``contact_phone``.
    :raises BadRequest: a relation the sandbox does not model.
    """
    record_id = obj.record.get("id")
    pairs = (obj.object_type, related_type)
    if pairs in (("lead", "contact"), ("lead", "opportunity")):
        return [SearchObject(related_type, c) for c in state.children_of(related_type, record_id)]
    if pairs in (("contact", "lead"), ("opportunity", "lead")):
        lead = state.leads.get(str(obj.record.get("lead_id")))
        return [SearchObject("lead", lead)] if lead else []
    if pairs == ("lead", "address"):
        return _nested(obj, "addresses", "address")
    if pairs == ("contact", "contact_email"):
        return _nested(obj, "emails", "contact_email")
    if pairs == ("contact", "contact_phone"):
        return _nested(obj, "phones", "contact_phone")
    raise BadRequest(f"has_related from {obj.object_type} to {related_type} is not supported.")
