"""Leads: status resolution, addresses, nested contacts, rendering and the delete cascade."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.errors import ValidationFailed
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.checks import Problems, actor_fields
from airflow_provider_close.sandbox.models.contacts import contact_problems
from airflow_provider_close.sandbox.models.custom_values import apply_custom_values
from airflow_provider_close.sandbox.models.status_changes import log_lead_status_change
from airflow_provider_close.sandbox.records import Kind, Record
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["create_lead", "delete_lead", "render_lead", "update_lead"]

_PLAIN_FIELDS = ("name", "description", "url")
_ADDRESS_FIELDS = ("address_1", "address_2", "city", "state", "zipcode", "country")
_ADDRESS_LABELS = ("business", "mailing", "other")
#: Children removed with their lead, in deletion order.
_CASCADE: tuple[Kind, ...] = ("contact", "activity", "task", "opportunity")


def _resolve_status(state: SandboxState, payload: Mapping[str, Any], problems: Problems) -> Any:
    if "status_id" in payload and "status" in payload:
        problems.add("status", "Specify either status or status_id, not both.")
        return None
    if payload.get("status_id") is not None:
        return problems.reference(payload, "status_id", state.lead_statuses)
    label = payload.get("status")
    if label is None:
        return None
    for status in state.lead_statuses.values():
        if str(status["label"]).lower() == str(label).lower():
            return status["id"]
    problems.add("status", f"Lead status {label!r} does not exist.")
    return None


def _address(item: Any) -> Record:
    if not isinstance(item, dict):
        raise ValidationFailed(errors=["Expected a JSON object."])
    label = item.get("label") or "business"
    if label not in _ADDRESS_LABELS:
        raise ValidationFailed({"label": f"Value {label!r} is not a valid choice."})
    return {"label": label, **{name: item.get(name) or "" for name in _ADDRESS_FIELDS}}


def _addresses(payload: Mapping[str, Any], problems: Problems) -> list[Record] | None:
    if "addresses" not in payload:
        return None
    raw = payload["addresses"]
    if not isinstance(raw, list):
        problems.add("addresses", "This field must be a list.")
        return None
    built, failed = [], {}
    for index, item in enumerate(raw):
        try:
            built.append(_address(item))
        except ValidationFailed as error:
            failed[index] = error
    problems.add_items("addresses", failed)
    return built


def _apply(
    state: SandboxState, record: Record, payload: Mapping[str, Any], problems: Problems
) -> None:
    problems.texts(payload, _PLAIN_FIELDS)
    for field in _PLAIN_FIELDS:
        if field in payload:
            record[field] = payload[field]
    status_id = _resolve_status(state, payload, problems)
    if status_id in state.lead_statuses:
        record["status_id"] = status_id
        record["status_label"] = state.lead_statuses[status_id]["label"]
    addresses = _addresses(payload, problems)
    if addresses is not None:
        record["addresses"] = addresses
    apply_custom_values(record, payload, state.custom_fields["lead"], state.users, problems)
    record["display_name"] = record.get("name") or ""


def _nested_contacts(
    state: SandboxState, payload: Mapping[str, Any], problems: Problems
) -> list[Record]:
    raw = payload.get("contacts", [])
    if not isinstance(raw, list):
        problems.add("contacts", "This field must be a list.")
        return []
    built, failed = [], {}
    for index, item in enumerate(raw):
        contact, contact_errors = contact_problems(state, item)
        if contact_errors.field_errors or contact_errors.errors:
            failed[index] = ValidationFailed(contact_errors.field_errors, contact_errors.errors)
        built.append(contact)
    problems.add_items("contacts", failed)
    return built


def _first_status_id(state: SandboxState) -> str:
    return str(next(iter(state.lead_statuses)))


def create_lead(state: SandboxState, payload: Mapping[str, Any], meta: RequestMeta) -> Record:
    """Validate and store a new lead (with nested contacts); return it rendered.

    :param state: the sandbox state.
    :param payload: the POST body.
    :param meta: the request, for the event log.
    :raises ValidationFailed: bad status, addresses, contacts or custom fields.
    """
    problems = Problems()
    lead_id = state.new_id("lead")
    first_status = state.lead_statuses[_first_status_id(state)]
    record: Record = {
        "id": lead_id,
        "name": "",
        "display_name": "",
        "description": "",
        "url": None,
        "status_id": first_status["id"],
        "status_label": first_status["label"],
        "addresses": [],
        "html_url": f"https://app.close.com/lead/{lead_id}/",
        "integration_links": [],
        "organization_id": state.organization_id,
        **actor_fields(state.me, state.timestamp(), created=True),
    }
    _apply(state, record, payload, problems)
    contacts = _nested_contacts(state, payload, problems)
    problems.raise_if_any()
    with state.lock:
        state.add("lead", record, meta)
        for contact in contacts:
            state.add("contact", {**contact, "lead_id": lead_id}, meta)
        return render_lead(state, record)


def update_lead(
    state: SandboxState, lead_id: str, payload: Mapping[str, Any], meta: RequestMeta
) -> Record:
    """Apply a partial update to a lead; return it rendered.

    :param state: the sandbox state.
    :param lead_id: the lead.
    :param payload: the PUT body.
    :param meta: the request, for the event log.
    :raises NotFound: no such lead.
    :raises ValidationFailed: invalid values, or nested contacts (use the Contact API).

    A status change also logs a ``LeadStatusChange`` activity.
    """
    with state.lock:
        before = state.get("lead", lead_id)
        record = dict(before)
        problems = Problems()
        if "contacts" in payload:
            problems.add("contacts", "Contacts cannot be edited here; use the Contact API.")
        _apply(state, record, payload, problems)
        problems.raise_if_any()
        record.update(actor_fields(state.me, state.timestamp(), created=False))
        state.change("lead", record, meta)
        log_lead_status_change(state, before, record)
        return render_lead(state, record)


def delete_lead(state: SandboxState, lead_id: str, meta: RequestMeta) -> None:
    """Delete a lead and everything under it, each with its own ``deleted`` event.

    :param state: the sandbox state.
    :param lead_id: the lead.
    :param meta: the request, for the event log.
    :raises NotFound: no such lead.
    """
    with state.lock:
        state.get("lead", lead_id)
        for kind in _CASCADE:
            children = [
                key for key, item in state.store(kind).items() if item["lead_id"] == lead_id
            ]
            for child_id in children:
                state.remove(kind, child_id, meta)
        state.remove("lead", lead_id, meta)


def render_lead(state: SandboxState, lead: Record) -> Record:
    """Return the lead as Close returns it: with contacts, opportunities, open tasks.

    :param state: the sandbox state.
    :param lead: the stored lead.
    """
    with state.lock:
        tasks = [task for task in state.children("task", lead["id"]) if not task["is_complete"]]
        return {
            **lead,
            "contacts": state.children("contact", lead["id"]),
            "opportunities": state.children("opportunity", lead["id"]),
            "tasks": tasks,
        }
