"""Custom field definitions (``/custom_field/<object type>/``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.models.checks import REQUIRED, Problems, actor_fields
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["FIELD_TYPES", "create_custom_field", "new_custom_field"]

FIELD_TYPES = (
    "text",
    "textarea",
    "number",
    "date",
    "datetime",
    "choices",
    "user",
    "contact",
    "hidden",
)


def new_custom_field(
    state: SandboxState,
    *,
    name: str,
    field_type: str,
    choices: list[str] | None = None,
    accepts_multiple_values: bool = False,
) -> Record:
    """Return a custom field definition record (not stored).

    :param state: the sandbox state.
    :param name: the field's name.
    :param field_type: one of :data:`FIELD_TYPES`.
    :param choices: the allowed values of a ``choices`` field.
    :param accepts_multiple_values: whether values are lists.
    """
    stamp = state.timestamp()
    actor = actor_fields(state.me, stamp, created=True)
    return {
        "id": state.new_id("cf"),
        "name": name,
        "description": "",
        "type": field_type,
        "choices": list(choices or []),
        "accepts_multiple_values": accepts_multiple_values,
        "editable_with_roles": [],
        "is_shared": False,
        "created_by": actor["created_by"],
        "updated_by": actor["updated_by"],
        "date_created": stamp,
        "date_updated": stamp,
        "organization_id": state.organization_id,
    }


def create_custom_field(
    state: SandboxState, object_type: str, payload: Mapping[str, Any]
) -> Record:
    """Validate and store a new custom field definition.

    :param state: the sandbox state.
    :param object_type: ``lead``, ``contact``, ``opportunity`` or ``activity``.
    :param payload: the POST body (``name``, ``type``, ``choices``, ``accepts_multiple_values``).
    :raises ValidationFailed: missing name, bad type, choices without values.
    """
    problems = Problems()
    if not payload.get("name"):
        problems.add("name", REQUIRED)
    if payload.get("type") is None:
        problems.add("type", REQUIRED)
    problems.enum(payload, "type", FIELD_TYPES)
    if payload.get("type") == "choices" and not payload.get("choices"):
        problems.add("choices", REQUIRED)
    problems.raise_if_any()
    record = new_custom_field(
        state,
        name=str(payload["name"]),
        field_type=str(payload["type"]),
        choices=list(payload.get("choices") or []),
        accepts_multiple_values=bool(payload.get("accepts_multiple_values", False)),
    )
    with state.lock:
        state.custom_fields[object_type][record["id"]] = record
    return record
