"""Contacts: validation of emails/phones/urls and the contact record."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.errors import ValidationFailed
from airflow_provider_close.sandbox.models.checks import Problems, actor_fields
from airflow_provider_close.sandbox.models.custom_values import apply_custom_values
from airflow_provider_close.sandbox.models.phones import normalize_phone
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["CONTACT_FIELDS", "build_contact", "contact_problems", "updated_contact"]

#: Plain fields a contact payload may set.
CONTACT_FIELDS = ("name", "title")


def _email_item(item: Any) -> Record:
    if not isinstance(item, dict) or not isinstance(item.get("email"), str):
        raise ValidationFailed({"email": "This field is required."})
    if "@" not in item["email"]:
        raise ValidationFailed({"email": "Invalid email address."})
    return {
        "email": item["email"].strip(),
        "type": item.get("type") or "office",
        "is_unsubscribed": bool(item.get("is_unsubscribed", False)),
    }


def _phone_item(item: Any) -> Record:
    if not isinstance(item, dict) or not isinstance(item.get("phone"), str):
        raise ValidationFailed({"phone": "This field is required."})
    phone = normalize_phone(item["phone"])
    if phone is None:
        raise ValidationFailed({"phone": "Invalid phone number."})
    return {
        "phone": phone.e164,
        "phone_formatted": phone.formatted,
        "type": item.get("type") or "office",
        "country": phone.country,
    }


def _url_item(item: Any) -> Record:
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        raise ValidationFailed({"url": "This field is required."})
    return {"url": item["url"], "type": item.get("type") or "url"}


_ITEM_BUILDERS = {"emails": _email_item, "phones": _phone_item, "urls": _url_item}


def _items(payload: Mapping[str, Any], field: str, problems: Problems) -> list[Record] | None:
    raw = payload.get(field)
    if field not in payload:
        return None
    if not isinstance(raw, list):
        problems.add(field, "This field must be a list.")
        return None
    built: list[Record] = []
    failed: dict[int, ValidationFailed] = {}
    for index, item in enumerate(raw):
        try:
            built.append(_ITEM_BUILDERS[field](item))
        except ValidationFailed as error:
            failed[index] = error
    problems.add_items(field, failed)
    return built


def _display_name(record: Mapping[str, Any]) -> str:
    if record.get("name"):
        return str(record["name"])
    emails = record.get("emails") or []
    return str(emails[0]["email"]) if emails else ""


def _apply(
    state: SandboxState, record: Record, payload: Mapping[str, Any], problems: Problems
) -> None:
    problems.texts(payload, CONTACT_FIELDS)
    for field in CONTACT_FIELDS:
        if field in payload:
            record[field] = payload[field]
    for field in _ITEM_BUILDERS:
        items = _items(payload, field, problems)
        if items is not None:
            record[field] = items
    apply_custom_values(record, payload, state.custom_fields["contact"], state.users, problems)
    record["display_name"] = _display_name(record)


def contact_problems(state: SandboxState, payload: Any) -> tuple[Record, Problems]:
    """Return an unsaved contact built from ``payload`` and the problems found.

    :param state: the sandbox state.
    :param payload: one contact object from a request.
    """
    problems = Problems()
    if not isinstance(payload, dict):
        problems.add_general("Expected a JSON object.")
        return {}, problems
    stamp = state.timestamp()
    record: Record = {
        "id": state.new_id("cont"),
        "lead_id": None,
        "organization_id": state.organization_id,
        "name": "",
        "title": "",
        "emails": [],
        "phones": [],
        "urls": [],
        "integration_links": [],
        **actor_fields(state.me, stamp, created=True),
    }
    _apply(state, record, payload, problems)
    return record, problems


def build_contact(state: SandboxState, payload: Any) -> Record:
    """Return an unsaved contact, or raise Close's 400.

    :param state: the sandbox state.
    :param payload: the contact object.
    :raises ValidationFailed: invalid emails, phones or custom fields.
    """
    record, problems = contact_problems(state, payload)
    problems.raise_if_any()
    return record


def updated_contact(state: SandboxState, current: Record, payload: Mapping[str, Any]) -> Record:
    """Return the new version of a contact after a partial update.

    :param state: the sandbox state.
    :param current: the stored contact.
    :param payload: the PUT body.
    :raises ValidationFailed: invalid values.
    """
    problems = Problems()
    record = dict(current)
    _apply(state, record, payload, problems)
    problems.raise_if_any()
    record.update(actor_fields(state.me, state.timestamp(), created=False))
    return record
