"""Contact payloads: ``POST /contact/``, ``PUT /contact/{id}/`` and a lead's nested contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact_points import (
    EmailEntry,
    PhoneEntry,
    UrlEntry,
    email_entries,
    phone_entries,
    url_entries,
)
from airflow_provider_close.client.payloads.custom import custom_field_values
from airflow_provider_close.client.payloads.ids import check_id
from airflow_provider_close.client.payloads.text import optional_line

__all__ = [
    "CONTACT_INPUT_KEYS",
    "ContactEntry",
    "build_contact_payload",
    "build_contact_update",
    "contact_entry",
]

CONTACT_INPUT_KEYS = frozenset({"name", "title", "emails", "phones", "urls"})


class ContactEntry(TypedDict, total=False):
    """The standard fields of a contact as sent to Close."""

    lead_id: str
    name: str
    title: str
    emails: list[EmailEntry]
    phones: list[PhoneEntry]
    urls: list[UrlEntry]


def _contact_fields(
    field: str,
    *,
    name: object,
    title: object,
    emails: object,
    phones: object,
    urls: object,
) -> ContactEntry:
    entry = ContactEntry()
    checked_name = optional_line(f"{field}.name", name)
    checked_title = optional_line(f"{field}.title", title)
    if checked_name is not None:
        entry["name"] = checked_name
    if checked_title is not None:
        entry["title"] = checked_title
    if emails is not None:
        entry["emails"] = email_entries(f"{field}.emails", emails)
    if phones is not None:
        entry["phones"] = phone_entries(f"{field}.phones", phones)
    if urls is not None:
        entry["urls"] = url_entries(f"{field}.urls", urls)
    return entry


def _require_identity(field: str, entry: ContactEntry, given: object) -> None:
    if not (entry.get("name") or entry.get("emails") or entry.get("phones")):
        raise ClosePayloadError(field, given, "at least one of name, emails, phones")


def contact_entry(field: str, contact: object) -> ContactEntry:
    """Return one nested contact of a lead, checked, from a dict of its fields.

    :param field: the field name used in errors, e.g. ``"lead.contacts[0]"``.
    :param contact: ``{"name", "title", "emails", "phones", "urls"}`` (all optional, but
        one of name, emails or phones is required).
    """
    if not isinstance(contact, Mapping) or set(contact) - CONTACT_INPUT_KEYS:
        allowed = "a dict with keys " + ", ".join(sorted(CONTACT_INPUT_KEYS))
        raise ClosePayloadError(field, contact, allowed)
    entry = _contact_fields(
        field,
        name=contact.get("name"),
        title=contact.get("title"),
        emails=contact.get("emails"),
        phones=contact.get("phones"),
        urls=contact.get("urls"),
    )
    _require_identity(field, entry, contact)
    return entry


def build_contact_payload(
    *,
    lead_id: object,
    name: object = None,
    title: object = None,
    emails: object = None,
    phones: object = None,
    urls: object = None,
    custom: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """Return the body of ``POST /contact/``: :class:`ContactEntry` fields plus ``custom.cf_…``.

    :param lead_id: the lead (``lead_…``) the contact belongs to; required here, because
        Close would otherwise silently create a new lead named after the contact.
    :param name: the contact's name.
    :param title: the contact's job title.
    :param emails: addresses, as strings or ``{"email", "type"}`` dicts.
    :param phones: E.164 numbers, as strings or ``{"phone", "type"}`` dicts.
    :param urls: URLs, as strings or ``{"url", "type"}`` dicts.
    :param custom: custom field values already keyed ``custom.cf_…``.
    """
    entry = _contact_fields(
        "contact", name=name, title=title, emails=emails, phones=phones, urls=urls
    )
    _require_identity("contact.name", entry, name)
    entry["lead_id"] = check_id("contact.lead_id", lead_id, "lead")
    return {**entry, **custom_field_values("contact", custom)}


def build_contact_update(
    *,
    name: object = None,
    title: object = None,
    emails: object = None,
    phones: object = None,
    urls: object = None,
    custom: Mapping[str, object] | None = None,
    allow_empty: bool = False,
) -> dict[str, object]:
    """Return the body of ``PUT /contact/{id}/``: only the fields given (``None`` = unchanged).

    Lists replace the contact's whole list. ``custom`` values of ``None`` unset the field.

    :param name: the new name.
    :param title: the new title.
    :param emails: the new list of addresses.
    :param phones: the new list of phone numbers.
    :param urls: the new list of URLs.
    :param custom: custom field values keyed ``custom.cf_…``.
    :param allow_empty: accept an empty result (checking fields before custom names are
        resolved).
    """
    entry = _contact_fields(
        "contact", name=name, title=title, emails=emails, phones=phones, urls=urls
    )
    payload = {**entry, **custom_field_values("contact", custom)}
    if not payload and not allow_empty:
        raise ClosePayloadError("contact", None, "at least one field to update")
    return payload
