"""Shared vocabulary of sandbox records: kinds, activity types and event object types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

__all__ = [
    "ACTIVITY_TYPE_NAMES",
    "ActivityKind",
    "Kind",
    "Record",
    "changed_fields",
    "event_object_type",
]

#: A JSON object as the sandbox stores and returns it.
Record = dict[str, Any]
#: The stores of the sandbox state.
Kind = Literal["lead", "contact", "opportunity", "task", "activity", "custom_object"]
#: Activity types with their own ``/activity/<kind>/`` endpoint.
ActivityKind = Literal["call", "sms", "note", "email", "meeting"]

#: ``/activity/<kind>/`` slug -> the ``_type`` Close puts on the record.
ACTIVITY_TYPE_NAMES: Mapping[str, str] = {
    "call": "Call",
    "sms": "SMS",
    "note": "Note",
    "email": "Email",
    "meeting": "Meeting",
    "email_thread": "EmailThread",
    "lead_status_change": "LeadStatusChange",
    "opportunity_status_change": "OpportunityStatusChange",
    "task_completed": "TaskCompleted",
    "lead_merge": "LeadMerge",
    "custom_activity": "CustomActivity",
}
_SLUG_BY_TYPE = {name: slug for slug, name in ACTIVITY_TYPE_NAMES.items()}


def event_object_type(kind: Kind, record: Mapping[str, Any]) -> str:
    """Return the event ``object_type`` of a record: ``lead``, ``task.lead``, ``activity.call``.

    :param kind: the store the record lives in.
    :param record: the record.
    """
    if kind == "task":
        return f"task.{record.get('_type', 'lead')}"
    if kind == "activity":
        type_name = str(record.get("_type", ""))
        return f"activity.{_SLUG_BY_TYPE.get(type_name, type_name.lower())}"
    return kind


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Return the sorted names of fields whose value differs between two versions.

    :param before: the old version.
    :param after: the new version.
    """
    names = set(before) | set(after)
    return sorted(name for name in names if before.get(name) != after.get(name))
