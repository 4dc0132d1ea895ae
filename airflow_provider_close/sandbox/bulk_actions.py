"""Bulk edits (``/bulk_action/edit/``): asynchronous lead edits finished on the sandbox clock.

close-api.md §8 and Close's bulk action pages: ``POST /bulk_action/edit/`` takes ``type``
(``set_lead_status`` with ``lead_status_id``; ``set_custom_field`` with ``custom_field_id`` or
``custom_field_name``, ``custom_field_value`` or ``custom_field_values`` and
``custom_field_operation`` replace | add | remove; ``clear_custom_field`` with the field),
``s_query`` (an Advanced Filtering query), ``results_limit``, ``sort`` and ``send_done_email``.
``GET /bulk_action/edit/{id}/`` shows ``status``: ``created`` at once, ``processing`` while
``state.bulk_action_seconds`` of sandbox-clock time pass (default 10), then ``done``.

Assumptions (listed in COVERAGE.md): the leads are chosen when the action is created, from the
search index (so they trail writes like ``/data/search/``); the edit is applied when the action
is due, at the first request the sandbox serves after that moment, each lead through the
normal write path (``date_updated``, ``lead.updated`` events with ``meta.bulk_action_id``,
``LeadStatusChange`` activities); leads already holding the value are not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from airflow_provider_close.sandbox.errors import NotFound
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.checks import (
    DOES_NOT_EXIST,
    REQUIRED,
    Problems,
    actor_fields,
    invalid_choice,
)
from airflow_provider_close.sandbox.models.custom_values import apply_custom_values
from airflow_provider_close.sandbox.models.status_changes import log_lead_status_change
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.search.advanced import node_matches
from airflow_provider_close.sandbox.search.candidates import candidate_objects
from airflow_provider_close.sandbox.state import SandboxState
from airflow_provider_close.sandbox.timestamps import parse_moment

__all__ = [
    "EDIT_TYPES",
    "advance_bulk_edits",
    "bulk_edit_view",
    "create_bulk_edit",
    "pause_bulk_edit",
]

EDIT_TYPES = ("set_lead_status", "set_custom_field", "clear_custom_field")
_OPERATIONS = ("replace", "add", "remove")
_PATH = "/api/v1/bulk_action/edit/"


def _custom_field(state: SandboxState, payload: Mapping[str, Any], problems: Problems) -> Any:
    definitions = state.custom_fields["lead"]
    field_id = payload.get("custom_field_id")
    name = payload.get("custom_field_name")
    if field_id is None and name is None:
        problems.add("custom_field_id", REQUIRED)
        return None
    if field_id is None:
        field_id = next((key for key, d in definitions.items() if d["name"] == name), None)
    if field_id not in definitions:
        problems.add("custom_field_id" if name is None else "custom_field_name", DOES_NOT_EXIST)
        return None
    return definitions[field_id]


def _change_key(payload: Mapping[str, Any], field_id: str, problems: Problems) -> tuple[str, Any]:
    """Return the ``custom.…`` key and value one lead update applies."""
    operation = problems.enum(payload, "custom_field_operation", _OPERATIONS) or "replace"
    if "custom_field_values" in payload:
        value = payload["custom_field_values"]
    elif "custom_field_value" in payload:
        value = payload["custom_field_value"]
    else:
        problems.add("custom_field_value", REQUIRED)
        value = None
    suffix = "" if operation == "replace" else f".{operation}"
    return f"custom.{field_id}{suffix}", value


def _edit(state: SandboxState, payload: Mapping[str, Any], problems: Problems) -> Record:
    """Validate the type-specific fields; return what each lead gets (``{key: value}``)."""
    kind = problems.enum(payload, "type", EDIT_TYPES)
    if kind is None:
        problems.add("type", REQUIRED)
        return {}
    if kind == "set_lead_status":
        if payload.get("lead_status_id") is None:
            problems.add("lead_status_id", REQUIRED)
        status_id = problems.reference(payload, "lead_status_id", state.lead_statuses)
        return {"status_id": status_id} if status_id else {}
    definition = _custom_field(state, payload, problems)
    if definition is None:
        return {}
    if kind == "clear_custom_field":
        return {f"custom.{definition['id']}": None}
    key, value = _change_key(payload, definition["id"], problems)
    if key.endswith((".add", ".remove")) and not definition.get("accepts_multiple_values"):
        problems.add("custom_field_operation", "This field does not accept multiple values.")
    scratch: Record = {}
    field_problems = Problems()
    apply_custom_values(
        scratch, {key: value}, state.custom_fields["lead"], state.users, field_problems
    )
    if field_problems.field_errors:
        problems.add("custom_field_value", next(iter(field_problems.field_errors.values())))
    return {key: value}


def _limit(payload: Mapping[str, Any], problems: Problems) -> int | None:
    value = payload.get("results_limit")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        problems.add("results_limit", "Enter a whole number.")
        return None
    return value


def create_bulk_edit(state: SandboxState, payload: Mapping[str, Any], request_id: str) -> Record:
    """Validate and start a bulk edit; return the bulk action record.

    :param state: the sandbox state.
    :param payload: the POST body.
    :param request_id: the request's ``req_…`` id (for the edits' events).
    :raises ValidationFailed: a missing or unknown type, field, status or value.
    :raises BadRequest: a malformed ``s_query``.
    """
    problems = Problems()
    query = payload.get("s_query")
    if not isinstance(query, dict):
        problems.add("s_query", REQUIRED if query is None else "This field must be an object.")
    edit = _edit(state, payload, problems)
    limit = _limit(payload, problems)
    if not isinstance(payload.get("send_done_email", True), bool):
        problems.add("send_done_email", "Must be a boolean.")
    problems.raise_if_any()
    with state.lock:
        indexed = state.search_records()
        chosen = [
            str(obj.record["id"])
            for obj in candidate_objects(indexed, query)
            if obj.object_type == "lead" and node_matches(indexed, obj, query)
        ][: limit if limit is not None else None]
        definition = state.custom_fields["lead"].get(str(payload.get("custom_field_id")), {})
        record: Record = {
            "id": state.new_id("bulkedit"),
            "type": payload["type"],
            "s_query": query,
            "query": None,
            "results_limit": limit,
            "sort": list(payload.get("sort") or []),
            "send_done_email": payload.get("send_done_email", True),
            "lead_status_id": payload.get("lead_status_id"),
            "custom_field_id": payload.get("custom_field_id"),
            "custom_field_name": payload.get("custom_field_name") or definition.get("name"),
            "custom_field_value": payload.get("custom_field_value"),
            "custom_field_values": payload.get("custom_field_values"),
            "custom_field_operation": payload.get("custom_field_operation"),
            "status": "created",
            "n_objects": len(chosen),
            "n_leads": len(chosen),
            "n_objects_processed": 0,
            "n_leads_processed": 0,
            "organization_id": state.organization_id,
            **actor_fields(state.me, state.timestamp(), created=True),
        }
        state.bulk_edits[record["id"]] = {
            "record": record,
            "lead_ids": chosen,
            "edit": edit,
            "request_id": request_id,
            "applied": False,
        }
        state.revision += 1
        return dict(record)


def _due(state: SandboxState, record: Record) -> str:
    if record["status"] == "paused":
        return "paused"
    started = parse_moment(record["date_created"])
    assert started is not None  # written by the sandbox
    elapsed = state.now() - started
    if elapsed >= timedelta(seconds=state.bulk_action_seconds):
        return "done"
    return "processing" if elapsed > timedelta(0) else "created"


def _apply_to_lead(state: SandboxState, lead_id: str, edit: Record, meta: RequestMeta) -> None:
    before = state.leads.get(lead_id)
    if before is None:
        return  # deleted meanwhile
    record = dict(before)
    if "status_id" in edit:
        status = state.lead_statuses[edit["status_id"]]
        record["status_id"], record["status_label"] = status["id"], status["label"]
    else:
        apply_custom_values(record, edit, state.custom_fields["lead"], state.users, Problems())
    if record == before:
        return
    record.update(actor_fields(state.me, state.timestamp(), created=False))
    state.change("lead", record, meta)
    log_lead_status_change(state, before, record)


def advance_bulk_edits(state: SandboxState) -> None:
    """Apply every bulk edit that is due and not applied yet (called before each request).

    :param state: the sandbox state.
    """
    with state.lock:
        for action_id, entry in state.bulk_edits.items():
            if entry["applied"] or _due(state, entry["record"]) != "done":
                continue
            meta = RequestMeta("POST", _PATH, entry["request_id"], {"bulk_action_id": action_id})
            for lead_id in entry["lead_ids"]:
                _apply_to_lead(state, lead_id, entry["edit"], meta)
            entry["applied"] = True


def bulk_edit_view(state: SandboxState, action_id: str) -> Record:
    """Return the bulk edit as ``GET /bulk_action/edit/{id}/`` shows it now.

    :param state: the sandbox state.
    :param action_id: the bulk action.
    :raises NotFound: no such bulk action.
    """
    entry = state.bulk_edits.get(action_id)
    if entry is None:
        raise NotFound(f"Empty query: bulk action {action_id} does not exist.")
    record = dict(entry["record"])
    record["status"] = _due(state, record)
    if record["status"] == "done":
        record["n_objects_processed"] = record["n_leads_processed"] = record["n_objects"]
    return record


def pause_bulk_edit(state: SandboxState, action_id: str, payload: Mapping[str, Any]) -> Record:
    """Pause a bulk edit that is not done, as a user does in Close; return it.

    Not served over HTTP: the OpenAPI copy has no ``PUT /bulk_action/edit/{id}/`` (close-api.md
    §8 mentions pausing with ``{"status": "paused"}``); resuming is not emulated.

    :param state: the sandbox state.
    :param action_id: the bulk action.
    :param payload: the PUT body.
    :raises NotFound: no such bulk action.
    :raises ValidationFailed: another status, or the action is already done.
    """
    with state.lock:
        view = bulk_edit_view(state, action_id)
        problems = Problems()
        if payload.get("status") != "paused":
            problems.add("status", invalid_choice(payload.get("status"), ("paused",)))
        elif view["status"] == "done":
            problems.add("status", "A finished bulk action cannot be paused.")
        problems.raise_if_any()
        state.bulk_edits[action_id]["record"]["status"] = "paused"
        state.revision += 1
        return bulk_edit_view(state, action_id)
