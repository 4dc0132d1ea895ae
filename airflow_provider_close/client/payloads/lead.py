"""Lead payloads: ``POST /lead/`` (with nested contacts and addresses) and ``PUT /lead/{id}/``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, TypedDict, cast

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact import ContactEntry, contact_entry
from airflow_provider_close.client.payloads.custom import custom_field_values
from airflow_provider_close.client.payloads.ids import check_id
from airflow_provider_close.client.payloads.scalars import optional_url
from airflow_provider_close.client.payloads.text import (
    exclusive_pair,
    optional_line,
    optional_text,
    required_line,
)

__all__ = [
    "ADDRESS_KEYS",
    "AddressEntry",
    "LeadFields",
    "address_entries",
    "build_lead_payload",
    "build_lead_update",
]

ADDRESS_KEYS: Final = frozenset(
    {"label", "address_1", "address_2", "city", "state", "zipcode", "country"}
)


class AddressEntry(TypedDict, total=False):
    """One address of a lead."""

    label: str
    address_1: str
    address_2: str
    city: str
    state: str
    zipcode: str
    country: str


class LeadFields(TypedDict, total=False):
    """The standard fields of a lead as sent to Close (custom fields are added as keys)."""

    name: str
    description: str
    url: str
    status_id: str
    status: str
    contacts: list[ContactEntry]
    addresses: list[AddressEntry]


def _address_entry(field: str, address: object) -> AddressEntry:
    if not isinstance(address, Mapping) or not address or set(address) - ADDRESS_KEYS:
        raise ClosePayloadError(
            field, address, "a dict with keys " + ", ".join(sorted(ADDRESS_KEYS))
        )
    checked = {key: required_line(f"{field}.{key}", value) for key, value in address.items()}
    return cast(AddressEntry, checked)


def _list_of(field: str, values: object) -> Sequence[object]:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence):
        raise ClosePayloadError(field, values, "a list")
    return values


def address_entries(field: str, addresses: object) -> list[AddressEntry]:
    """Return a lead's ``addresses`` list, checked.

    :param field: the field name used in errors, e.g. ``"lead.addresses"``.
    :param addresses: a list of dicts with keys among :data:`ADDRESS_KEYS`.
    """
    return [
        _address_entry(f"{field}[{index}]", item)
        for index, item in enumerate(_list_of(field, addresses))
    ]


def _status_fields(status_id: object, status_label: object) -> LeadFields:
    chosen = exclusive_pair(
        "lead", ("status_id", status_id), ("status", status_label), required=False
    )
    if chosen is None:
        return LeadFields()
    if chosen[0] == "status_id":
        return LeadFields(status_id=check_id("lead.status_id", status_id, "status"))
    return LeadFields(status=required_line("lead.status", status_label))


def _common_fields(*, name: object, description: object, url: object) -> LeadFields:
    fields = LeadFields()
    if (checked_name := optional_line("lead.name", name)) is not None:
        fields["name"] = checked_name
    if (checked_description := optional_text("lead.description", description)) is not None:
        fields["description"] = checked_description
    if (checked_url := optional_url("lead.url", url)) is not None:
        fields["url"] = checked_url
    return fields


def build_lead_payload(
    *,
    name: object,
    description: object = None,
    url: object = None,
    status_id: object = None,
    status_label: object = None,
    contacts: object = None,
    addresses: object = None,
    custom: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """Return the body of ``POST /lead/``: :class:`LeadFields` plus ``custom.cf_…`` keys.

    :param name: the lead (company) name; required.
    :param description: free text.
    :param url: the company's web site (http or https).
    :param status_id: a lead status id (``stat_…``); not together with ``status_label``.
    :param status_label: a lead status label; not together with ``status_id``. Neither: the
        organisation's default status.
    :param contacts: nested contacts, dicts of ``name, title, emails, phones, urls``.
    :param addresses: dicts of ``label, address_1, address_2, city, state, zipcode, country``.
    :param custom: custom field values already keyed ``custom.cf_…``.
    """
    fields = _common_fields(name=required_line("lead.name", name), description=description, url=url)
    fields.update(_status_fields(status_id, status_label))
    if contacts is not None:
        items = _list_of("lead.contacts", contacts)
        fields["contacts"] = [
            contact_entry(f"lead.contacts[{index}]", item) for index, item in enumerate(items)
        ]
    if addresses is not None:
        fields["addresses"] = address_entries("lead.addresses", addresses)
    return {**fields, **custom_field_values("lead", custom)}


def build_lead_update(
    *,
    name: object = None,
    description: object = None,
    url: object = None,
    status_id: object = None,
    status_label: object = None,
    addresses: object = None,
    custom: Mapping[str, object] | None = None,
    allow_empty: bool = False,
) -> dict[str, object]:
    """Return the body of ``PUT /lead/{id}/``: only the fields given (``None`` = unchanged).

    Nested contacts cannot be edited through the lead (use the contact operators).

    :param name: the new name.
    :param description: the new description.
    :param url: the new web site.
    :param status_id: the new status id; not together with ``status_label``.
    :param status_label: the new status label; not together with ``status_id``.
    :param addresses: the new list of addresses (replaces the old one).
    :param custom: custom field values keyed ``custom.cf_…``; ``None`` values unset.
    :param allow_empty: accept an empty result (checking fields before custom names are
        resolved).
    """
    fields = _common_fields(name=name, description=description, url=url)
    fields.update(_status_fields(status_id, status_label))
    if addresses is not None:
        fields["addresses"] = address_entries("lead.addresses", addresses)
    payload = {**fields, **custom_field_values("lead", custom)}
    if not payload and not allow_empty:
        raise ClosePayloadError("lead", None, "at least one field to update")
    return payload
