"""Custom activity types, custom object types and custom object instances.

From Close's docs (docs/change_capture.md "Custom activities and custom objects"):

* ``POST /custom_activity/`` creates a Custom Activity Type (``actitype_…``); ``name`` is
  required; the list ``GET /custom_activity/`` returns every type in one answer.
* ``POST /custom_object_type/`` creates a Custom Object Type; ``name`` and ``name_plural`` are
  required; ``GET /custom_object_type/`` returns every type in one answer.
* ``POST /custom_object/`` creates an instance; ``custom_object_type_id``, ``lead_id`` and
  ``name`` are required; ``PUT`` changes ``name`` and ``custom.cf_…`` values; ``GET
  /custom_object/`` requires ``lead_id``.

Instances are stored as kind ``custom_object`` (events ``custom_object``/``created|updated|
deleted``: an assumption, listed in COVERAGE.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.errors import NotFound
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.checks import REQUIRED, Problems, actor_fields
from airflow_provider_close.sandbox.models.custom_values import custom_keys
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState

__all__ = [
    "create_custom_activity_type",
    "create_custom_object",
    "create_custom_object_type",
    "get_custom_object",
    "update_custom_object",
]


def _type_record(state: SandboxState, prefix: str, payload: Mapping[str, Any]) -> Record:
    return {
        "id": state.new_id(prefix),
        "name": payload.get("name"),
        "description": payload.get("description") or "",
        "api_create_only": bool(payload.get("api_create_only", False)),
        "editable_with_roles": list(payload.get("editable_with_roles") or []),
        "fields": [],
        "organization_id": state.organization_id,
        **actor_fields(state.me, state.timestamp(), created=True),
    }


def create_custom_activity_type(state: SandboxState, payload: Mapping[str, Any]) -> Record:
    """Store a new Custom Activity Type; return it.

    :param state: the sandbox state.
    :param payload: the POST body (``name`` required).
    :raises ValidationFailed: missing or non-string fields.
    """
    problems = Problems()
    if not payload.get("name"):
        problems.add("name", REQUIRED)
    problems.texts(payload, ("name", "description"))
    problems.raise_if_any()
    with state.lock:
        record = _type_record(state, "actitype", payload)
        state.custom_activity_types[record["id"]] = record
        state.revision += 1
    return record


def create_custom_object_type(state: SandboxState, payload: Mapping[str, Any]) -> Record:
    """Store a new Custom Object Type; return it.

    :param state: the sandbox state.
    :param payload: the POST body (``name`` and ``name_plural`` required).
    :raises ValidationFailed: missing or non-string fields.
    """
    problems = Problems()
    for name in ("name", "name_plural"):
        if not payload.get(name):
            problems.add(name, REQUIRED)
    problems.texts(payload, ("name", "name_plural", "description"))
    problems.raise_if_any()
    with state.lock:
        record = _type_record(state, "cotype", payload)
        record["name_plural"] = payload["name_plural"]
        record["back_reference_fields"] = []
        state.custom_object_types[record["id"]] = record
        state.revision += 1
    return record


def get_custom_object(state: SandboxState, object_id: str) -> Record:
    """Return a custom object instance or raise Close's 404.

    :param state: the sandbox state.
    :param object_id: the instance id.
    :raises NotFound: no such instance.
    """
    record = state.custom_objects.get(object_id)
    if record is None:
        raise NotFound(f"Empty query: custom object {object_id} does not exist.")
    return record


def create_custom_object(
    state: SandboxState, payload: Mapping[str, Any], meta: RequestMeta | None
) -> Record:
    """Validate and store a new custom object instance (logs ``custom_object``/``created``).

    :param state: the sandbox state.
    :param payload: the POST body.
    :param meta: the request, for the event log.
    :raises ValidationFailed: a missing required field or an unknown reference.
    """
    problems = Problems()
    with state.lock:
        for name in ("custom_object_type_id", "lead_id", "name"):
            if not payload.get(name):
                problems.add(name, REQUIRED)
        problems.texts(payload, ("name",))
        type_id = problems.reference(payload, "custom_object_type_id", state.custom_object_types)
        lead_id = problems.reference(payload, "lead_id", state.leads)
        problems.raise_if_any()
        record: Record = {
            "id": state.new_id("custobj"),
            "custom_object_type_id": type_id,
            "lead_id": lead_id,
            "name": payload["name"],
            "organization_id": state.organization_id,
            **actor_fields(state.me, state.timestamp(), created=True),
            **custom_keys(payload),
        }
        return state.add("custom_object", record, meta)


def update_custom_object(
    state: SandboxState, object_id: str, payload: Mapping[str, Any], meta: RequestMeta | None
) -> Record:
    """Change ``name`` and ``custom.…`` values of an instance (logs ``updated``).

    :param state: the sandbox state.
    :param object_id: the instance id.
    :param payload: the PUT body.
    :param meta: the request, for the event log.
    :raises NotFound: no such instance.
    :raises ValidationFailed: a non-string name.
    """
    problems = Problems()
    with state.lock:
        record = dict(get_custom_object(state, object_id))
        problems.texts(payload, ("name",))
        if "name" in payload and not payload["name"]:
            problems.add("name", REQUIRED)
        problems.raise_if_any()
        if "name" in payload:
            record["name"] = payload["name"]
        for key, value in custom_keys(payload).items():
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        record.update(actor_fields(state.me, state.timestamp(), created=False))
        return state.change("custom_object", record, meta)
