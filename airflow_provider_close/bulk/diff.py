"""Compare what a row wants with the lead Close has: create payloads, patches, missing contacts.

Rules (documented in docs/bulk.md):

* a field is changed only when the row has a value and it differs from Close's (PUT is a
  patch, close-api.md §0); numbers compare numerically (``42`` == ``42.0`` == ``"42"``),
  multi-value custom fields compare as sets;
* contacts of an existing lead are never edited or deleted through the upsert; a mapped
  contact that the lead lacks is *added* through ``POST /contact/``. A contact counts as
  present when it shares an email (case-insensitive), else a phone (digits), else -- when
  the row gives neither -- the exact name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from airflow_provider_close.bulk.mapping import DesiredLead, is_blank
from airflow_provider_close.client.payloads.contact import build_contact_payload
from airflow_provider_close.client.payloads.lead import build_lead_payload, build_lead_update

__all__ = [
    "contact_is_present",
    "create_payload",
    "kept_by_fill_only",
    "lead_fields_to_fetch",
    "lead_patch",
    "missing_contact_payloads",
    "same_value",
]

# mapping field -> (field read back from Close, build_* keyword)
_LEAD_FIELD_SOURCES: Mapping[str, tuple[str, str]] = {
    "name": ("name", "name"),
    "description": ("description", "description"),
    "url": ("url", "url"),
    "status": ("status_label", "status_label"),
    "status_id": ("status_id", "status_id"),
}


def lead_fields_to_fetch(mapped_fields: Iterable[str], custom_keys: Iterable[str]) -> list[str]:
    """Return the lead fields a diff needs read from Close.

    :param mapped_fields: the lead fields of the mapping.
    :param custom_keys: the ``custom.cf_...`` keys of the mapping.
    """
    standard = [_LEAD_FIELD_SOURCES[f][0] for f in mapped_fields]
    return list(dict.fromkeys(["id", "name", *standard, "contacts", *custom_keys]))


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _as_set(value: object) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {str(item) for item in items if item is not None}


def same_value(wanted: object, current: object) -> bool:
    """Return whether Close's ``current`` value already equals the row's ``wanted`` one.

    :param wanted: the value from the row.
    :param current: the value read from Close (``None`` when unset).
    """
    if isinstance(wanted, list) or isinstance(current, list):
        return _as_set(wanted) == _as_set(current)
    if isinstance(wanted, bool) or isinstance(current, bool):
        return type(wanted) is type(current) and wanted == current
    if wanted == current:
        return True
    if isinstance(wanted, int | float) or isinstance(current, int | float):
        a, b = _number(wanted), _number(current)
        return a is not None and a == b
    return current is not None and str(wanted) == str(current)


def kept_by_fill_only(key: str, current: object, fill_only: frozenset[str]) -> bool:
    """Return whether Close's ``current`` value stays because ``key`` is filled only when empty.

    :param key: the desired object's key (mapping field name or ``custom.cf_…``).
    :param current: the value read from Close.
    :param fill_only: the keys of ``fill_only_when_empty``.
    """
    if key not in fill_only:
        return False
    if isinstance(current, list):
        return bool(current)
    return not is_blank(current)


def create_payload(desired: DesiredLead) -> dict[str, object]:
    """Return the checked ``POST /lead/`` body (raises ``ClosePayloadError`` when invalid).

    :param desired: what the row says the lead should be.
    """
    fields = desired.fields
    return build_lead_payload(
        name=fields.get("name"),
        description=fields.get("description"),
        url=fields.get("url"),
        status_id=fields.get("status_id"),
        status_label=fields.get("status"),
        contacts=desired.contacts or None,
        custom=desired.custom or None,
    )


def _differs(key: str, wanted: object, current: object, fill_only: frozenset[str]) -> bool:
    return not same_value(wanted, current) and not kept_by_fill_only(key, current, fill_only)


def lead_patch(
    desired: DesiredLead, lead: Mapping[str, Any], fill_only: frozenset[str] = frozenset()
) -> dict[str, object] | None:
    """Return the checked ``PUT /lead/{id}/`` body of the differing fields, or ``None``.

    :param desired: what the row says the lead should be.
    :param lead: the lead as read from Close.
    :param fill_only: keys (mapping field names, ``custom.cf_…``) left alone when Close
        already holds a value for them.
    """
    changes: dict[str, object] = {}
    for field, wanted in desired.fields.items():
        source, keyword = _LEAD_FIELD_SOURCES[field]
        if _differs(field, wanted, lead.get(source), fill_only):
            changes[keyword] = wanted
    custom = {k: v for k, v in desired.custom.items() if _differs(k, v, lead.get(k), fill_only)}
    if not changes and not custom:
        return None
    return build_lead_update(
        name=changes.get("name"),
        description=changes.get("description"),
        url=changes.get("url"),
        status_id=changes.get("status_id"),
        status_label=changes.get("status_label"),
        custom=custom or None,
    )


def _digits(phone: object) -> str:
    return re.sub(r"\D", "", str(phone))


def _contact_points(contact: Mapping[str, Any], kind: str, key: str) -> set[str]:
    points = set()
    for item in contact.get(kind) or []:
        value = item.get(key) if isinstance(item, Mapping) else item
        if value:
            points.add(str(value).strip().lower() if kind == "emails" else _digits(value))
    return points


def contact_is_present(wanted: Mapping[str, Any], existing: Sequence[Mapping[str, Any]]) -> bool:
    """Return whether a lead's ``existing`` contacts already include the ``wanted`` one.

    :param wanted: a mapped contact (or a ``POST /contact/`` body).
    :param existing: the lead's contacts as read from Close.
    """
    for kind, key in (("emails", "email"), ("phones", "phone")):
        points = _contact_points(wanted, kind, key)
        if points:
            return any(points & _contact_points(c, kind, key) for c in existing)
    name = wanted.get("name")
    return name is not None and any(c.get("name") == name for c in existing)


def missing_contact_payloads(
    desired: DesiredLead, lead: Mapping[str, Any]
) -> list[dict[str, object]]:
    """Return checked ``POST /contact/`` bodies for the mapped contacts the lead lacks.

    :param desired: what the row says the lead should be.
    :param lead: the lead as read from Close (with ``id`` and ``contacts``).
    """
    existing = list(lead.get("contacts") or [])
    return [
        build_contact_payload(lead_id=lead["id"], **contact)
        for contact in desired.contacts
        if not contact_is_present(contact, existing)
    ]
