"""Contact payloads: ``POST /contact/``, ``PUT /contact/{id}/`` and a lead's nested contacts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Self

from pydantic import model_validator

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.types import (
    Emails,
    Entry,
    LeadId,
    Line,
    Payload,
    Phones,
    Urls,
    with_custom,
)

__all__ = ["NestedContact", "build_contact_payload", "build_contact_update"]


class _ContactUpdate(Payload):
    name: Line | None = None
    title: Line | None = None
    emails: Emails | None = None
    phones: Phones | None = None
    urls: Urls | None = None


class _Identified(_ContactUpdate):
    #: Where a contact with neither name, emails nor phones is reported ("" = the contact).
    identity_field: ClassVar[str] = ""

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if not (self.name or self.emails or self.phones):
            field = self.identity_field
            value = None if field else self.model_dump(exclude_none=True)
            raise ClosePayloadError(field, value, "at least one of name, emails, phones")
        return self


class NestedContact(_Identified, Entry):
    """One contact of ``POST /lead/``: one of name, emails or phones is required."""

    empty_ok: ClassVar[bool] = True


class _Contact(_Identified):
    identity_field: ClassVar[str] = "name"
    lead_id: LeadId


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
    """Return the body of ``POST /contact/``: the contact's fields plus ``custom.cf_…`` keys.

    :param lead_id: the lead (``lead_…``) the contact belongs to; required here, because
        Close would otherwise silently create a new lead named after the contact.
    :param name: the contact's name.
    :param title: the contact's job title.
    :param emails: addresses, as strings or ``{"email", "type"}`` dicts.
    :param phones: E.164 numbers, as strings or ``{"phone", "type"}`` dicts.
    :param urls: URLs, as strings or ``{"url", "type"}`` dicts.
    :param custom: custom field values already keyed ``custom.cf_…``.
    """
    return with_custom("contact", _Contact.built("contact", locals()), custom)


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
    fields = _ContactUpdate.built("contact", locals())
    return with_custom("contact", fields, custom, update=True, allow_empty=allow_empty)
