"""De-duplication of lead creates: what ``match_on`` means and how existing leads are found.

``match_on`` is ``"name"`` (the lead name), ``"contact_email"`` (any email of the new lead's
contacts) or a lead custom field by display name or ``cf_`` id (e.g. ``"External ID"``),
whose value must be among the operator's ``custom_fields``. The search itself is
``lookups.leads.find_leads_by_key`` (exact matches only). Close lists leads by no key nor
date, so leads are found only through search, which trails writes: their ``LookupSource`` is
``"search"`` and a "not found" is believed only after the settle window (``rule.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.text import required_text
from airflow_provider_close.lookups.activities import created_at
from airflow_provider_close.lookups.custom_fields import CustomFieldResolver
from airflow_provider_close.lookups.leads import LeadMatchKey, find_leads_by_key

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient

__all__ = [
    "IF_EXISTS_CHOICES",
    "IfExists",
    "LeadMatch",
    "check_match_on",
    "check_match_value",
    "existing_leads",
    "lead_match",
]

IfExists = Literal["create", "skip", "update", "fail"]
IF_EXISTS_CHOICES: Final[tuple[IfExists, ...]] = get_args(IfExists)
_RESERVED: Final = ("name", "contact_email")

LeadMatch = tuple[LeadMatchKey, list[str]]


def check_match_on(
    match_on: object, if_exists: IfExists, custom_fields: Mapping[str, object]
) -> str | None:
    """Return the checked ``match_on`` (pure: before any request), or raise ``ClosePayloadError``.

    :param match_on: ``"name"``, ``"contact_email"``, a custom field name or id, or ``None``.
    :param if_exists: the de-duplication mode; anything but ``create`` needs ``match_on``.
    :param custom_fields: the operator's custom field inputs (by name or id).
    """
    if match_on is None:
        if if_exists != "create":
            allowed = "'name', 'contact_email' or a custom field name/id (required with if_exists)"
            raise ClosePayloadError("lead.match_on", None, allowed)
        return None
    text = required_text("lead.match_on", match_on).strip()
    if text not in _RESERVED and text not in custom_fields:
        known = ", ".join(repr(key) for key in custom_fields) or "(no custom_fields given)"
        allowed = f"'name', 'contact_email' or one of the custom_fields keys: {known}"
        raise ClosePayloadError("lead.match_on", match_on, allowed)
    return text


def _contact_emails(payload: Mapping[str, Any]) -> list[str]:
    return [
        str(entry["email"])
        for contact in payload.get("contacts") or []
        for entry in contact.get("emails") or []
    ]


def check_match_value(
    match_on: str, payload: Mapping[str, Any], custom_fields: Mapping[str, object]
) -> None:
    """Raise ``ClosePayloadError`` unless the new lead holds a value for ``match_on`` (pure).

    :param match_on: a checked ``match_on``.
    :param payload: the lead payload checked so far (custom fields not yet resolved).
    :param custom_fields: the operator's custom field inputs (by name or id).
    """
    if match_on == "contact_email" and not _contact_emails(payload):
        allowed = "contacts with emails (match_on='contact_email')"
        raise ClosePayloadError("lead.contacts", payload.get("contacts"), allowed)
    if match_on not in _RESERVED and custom_fields.get(match_on) in (None, ""):
        field = f"lead.custom_fields[{match_on!r}]"
        raise ClosePayloadError(
            field, custom_fields.get(match_on), f"a value (match_on={match_on!r})"
        )


def lead_match(
    match_on: str, payload: Mapping[str, Any], resolver: CustomFieldResolver
) -> LeadMatch:
    """Return the match key and the new lead's values for it.

    :param match_on: a checked ``match_on`` (see :func:`check_match_on`).
    :param payload: the lead payload about to be sent (custom keys resolved), whose value for
        the key was checked by :func:`check_match_value`.
    :param resolver: resolves a custom field name to its ``custom.cf_…`` key.
    """
    if match_on == "name":
        return LeadMatchKey("name"), [str(payload["name"])]
    if match_on == "contact_email":
        return LeadMatchKey("contact_email"), _contact_emails(payload)
    key = resolver.key_for(match_on)
    return LeadMatchKey("custom_field", custom_field_id=key), [str(payload[key])]


def existing_leads(
    client: CloseClient, match: LeadMatch, *, created_since: datetime | None = None
) -> list[dict[str, Any]]:
    """Return the distinct existing leads matching any of the values, in the order found.

    :param client: a ``CloseClient``.
    :param match: the key and values from :func:`lead_match`.
    :param created_since: only leads created at or after this instant (recovery of this
        run's own create), or ``None`` for all.
    """
    key, values = match
    found = find_leads_by_key(client, key, values, fields=["date_created"])
    unique = {str(lead["id"]): lead for leads in found.values() for lead in leads}
    if created_since is None:
        return list(unique.values())
    return [
        lead
        for lead in unique.values()
        if (created := created_at(lead)) is not None and created >= created_since
    ]
