"""Contacts as a bulk upsert kind: mapping, matching by email or custom field, plan bodies.

A contact mapping is one contact's columns plus its custom fields::

    {"name": "full_name", "title": "job_title", "emails": ["email"], "phones": ["phone"],
     "custom": {"LinkedIn": "linkedin_url"}}

The match key is ``"email"`` (the first mapped email column; emails compare trimmed and
case-insensitively, against every email of a contact) or a contact custom field by name
or ``cf_`` id. Contacts are found across the organisation through Advanced Filtering
(``bulk/contact_lookup.py``: search, whose index trails writes, as for leads).

Changes: text fields and custom fields are replaced when they differ; email, phone and URL
lists only ever gain what the row has and the contact lacks (what is in Close stays). A
matched contact stays on its lead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from airflow_provider_close.bulk.child_engine import ChildKind
from airflow_provider_close.bulk.contact_lookup import (
    LIST_FIELDS,
    ContactFinder,
    ContactKey,
    contact_holds_key,
    contact_points,
)
from airflow_provider_close.bulk.diff import kept_by_fill_only, same_value
from airflow_provider_close.bulk.mapping import (
    ContactMapping,
    DesiredLead,
    MappingError,
    contact_mapping,
    custom_mapping,
    row_contact,
    row_custom,
)
from airflow_provider_close.bulk.plan import CustomCheck
from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact import build_contact_update

__all__ = [
    "CONTACT_PLANNER",
    "ContactUpsertMapping",
    "contact_fields_to_fetch",
    "contact_key_column",
    "contact_kind",
    "desired_contact",
    "parse_contact_mapping",
]

_TEXT: Final = ("name", "title")


@dataclass(frozen=True)
class ContactUpsertMapping:
    """A validated contact mapping: the contact's columns and its custom field columns."""

    contact: ContactMapping
    custom: Mapping[str, str]

    @property
    def standard(self) -> list[str]:
        """The standard contact fields mapped (``fill_only_when_empty`` names)."""
        return [*self.contact.text, *self.contact.lists]


def parse_contact_mapping(raw: Mapping[str, Any]) -> ContactUpsertMapping:
    """Return the checked contact mapping, or raise :class:`MappingError` naming the fields.

    :param raw: contact field -> column, plus ``custom``.
    """
    if not isinstance(raw, Mapping) or not raw:
        raise MappingError("the contact mapping must be a non-empty dict")
    fields = {k: v for k, v in raw.items() if k != "custom"}
    return ContactUpsertMapping(
        contact_mapping("mapping", fields), custom_mapping(raw.get("custom", {}))
    )


def _comparable(kind: str, value: str) -> str:
    if kind == "phones":
        return re.sub(r"\D", "", value)
    return value.lower()


def contact_key_column(
    key: ContactKey, mapping: ContactUpsertMapping, custom_keys: Mapping[str, str]
) -> str:
    """Return the row column of the contact match key, or raise :class:`MappingError`.

    :param key: the contact match key.
    :param mapping: the contact mapping.
    :param custom_keys: contact custom field name -> ``custom.cf_…`` key.
    """
    if key.custom_field_id is None and mapping.contact.lists.get("emails"):
        return mapping.contact.lists["emails"][0]
    for name, column in mapping.custom.items():
        if custom_keys.get(name) == f"custom.{key.custom_field_id}":
            return column
    raise MappingError(f"the match key ({key.custom_field_id or 'email'}) is not mapped")


def contact_fields_to_fetch(custom_keys: Mapping[str, str], key: ContactKey) -> list[str]:
    """Return the contact fields a diff and a key check need.

    :param custom_keys: the mapping's custom keys.
    :param key: the contact match key.
    """
    wanted = ["id", "lead_id", *_TEXT, *LIST_FIELDS, *custom_keys.values()]
    if key.custom_field_id:
        wanted.append(f"custom.{key.custom_field_id}")
    return list(dict.fromkeys(wanted))


def desired_contact(
    mapping: ContactUpsertMapping, custom_keys: Mapping[str, str], row: Mapping[str, Any]
) -> DesiredLead:
    """Return what ``row`` says the contact should be (``KeyError``: a missing column).

    :param mapping: the contact mapping.
    :param custom_keys: custom field name -> ``custom.cf_…`` key.
    :param row: one input row.
    """
    custom = row_custom(mapping.custom, row, custom_keys)
    return DesiredLead(row_contact(mapping.contact, row), custom, [])


def _entries(kind: str, contact: Mapping[str, Any]) -> list[dict[str, Any]]:
    keep = (LIST_FIELDS[kind], "type")
    return [
        {k: item[k] for k in keep if item.get(k) is not None}
        for item in contact.get(kind) or []
        if isinstance(item, Mapping)
    ]


@dataclass(frozen=True)
class _ContactPlanner:
    noun: str = "contact"

    def create(self, desired: DesiredLead) -> dict[str, object]:
        fields = desired.fields
        if not (fields.get("name") or fields.get("emails") or fields.get("phones")):
            raise ClosePayloadError("contact", fields, "at least one of name, emails, phones")
        return build_contact_update(**fields, custom=desired.custom or None, allow_empty=True)

    def changes(
        self, desired: DesiredLead, current: Mapping[str, Any], fill_only: frozenset[str]
    ) -> tuple[dict[str, object] | None, list[dict[str, object]]]:
        changes: dict[str, Any] = {}
        for field, wanted in desired.fields.items():
            held = current.get(field)
            if kept_by_fill_only(field, held, fill_only):
                continue
            if field in LIST_FIELDS:
                have = {_comparable(field, p) for p in contact_points(current, field)}
                extra = [w for w in wanted if _comparable(field, str(w)) not in have]
                if extra:
                    changes[field] = [*_entries(field, current), *extra]
            elif not same_value(wanted, held):
                changes[field] = wanted
        custom = {
            k: v
            for k, v in desired.custom.items()
            if not same_value(v, current.get(k))
            and not kept_by_fill_only(k, current.get(k), fill_only)
        }
        if not changes and not custom:
            return None, []
        return build_contact_update(**changes, custom=custom or None), []


#: Contacts: ``POST /contact/`` bodies (``lead_id`` added once the lead is known), patches.
CONTACT_PLANNER = _ContactPlanner()


def contact_kind(
    mapping: ContactUpsertMapping,
    key: ContactKey,
    custom_keys: Mapping[str, str],
    *,
    chunk_size: int,
    check: CustomCheck | None = None,
) -> ChildKind:
    """Return contacts as a :class:`ChildKind` for ``child_engine.upsert_children``.

    :param mapping: the contact mapping.
    :param key: the contact match key.
    :param custom_keys: contact custom field name -> ``custom.cf_…`` key.
    :param chunk_size: key values per search.
    :param check: checks each custom value against its field (a failing row is invalid).
    """
    fields = contact_fields_to_fetch(custom_keys, key)

    def make(row: Mapping[str, Any]) -> DesiredLead:
        desired = desired_contact(mapping, custom_keys, row)
        if check is not None:
            desired.custom = {k: check(k, v) for k, v in desired.custom.items()}
        return desired

    return ChildKind(
        planner=CONTACT_PLANNER,
        path="contact/",
        key_column=contact_key_column(key, mapping, custom_keys),
        normalise=key.normalise,
        make=make,
        find=ContactFinder(key, fields, chunk_size),
        holds_key=partial(contact_holds_key, key),
        key_fields=fields,
        creates_leads=True,
    )
