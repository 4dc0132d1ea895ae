"""Lead payloads: ``POST /lead/`` (with nested contacts and addresses) and ``PUT /lead/{id}/``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self

from pydantic import model_validator

from airflow_provider_close.client.payloads.contact import NestedContact
from airflow_provider_close.client.payloads.text import exclusive_pair
from airflow_provider_close.client.payloads.types import (
    Entry,
    Line,
    Payload,
    StatusId,
    Text,
    Url,
    a_list,
    with_custom,
)

__all__ = ["build_lead_payload", "build_lead_update"]


class _Address(Entry):
    label: Line | None = None
    address_1: Line | None = None
    address_2: Line | None = None
    city: Line | None = None
    state: Line | None = None
    zipcode: Line | None = None
    country: Line | None = None


class _LeadUpdate(Payload):
    name: Line | None = None
    description: Text | None = None
    url: Url | None = None
    status_id: StatusId | None = None
    #: A status label (the builder's ``status_label``); not with ``status_id``.
    status: Line | None = None
    addresses: list[_Address] | None = a_list()

    @model_validator(mode="after")
    def _one_status(self) -> Self:
        exclusive_pair("", ("status_id", self.status_id), ("status", self.status), required=False)
        return self


class _Lead(_LeadUpdate):
    name: Line
    contacts: list[NestedContact] | None = a_list()


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
    """Return the body of ``POST /lead/``: the lead's fields plus ``custom.cf_…`` keys.

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
    return with_custom("lead", _Lead.built("lead", {**locals(), "status": status_label}), custom)


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
    fields = _LeadUpdate.built("lead", {**locals(), "status": status_label})
    return with_custom("lead", fields, custom, update=True, allow_empty=allow_empty)
