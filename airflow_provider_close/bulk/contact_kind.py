"""Contacts as a bulk upsert kind: mapping, matching by email or custom field, plan bodies.

A contact mapping is one contact's columns plus its custom fields::

    {"name": "full_name", "title": "job_title", "emails": ["email"], "phones": ["phone"],
     "custom": {"LinkedIn": "linkedin_url"}}

The match key is ``"email"`` (the first mapped email column; emails compare trimmed and
case-insensitively, against every email of a contact) or a contact custom field by name
or ``cf_`` id. Contacts are found across the organisation through Advanced Filtering
(``POST /data/search/``, ``object_type: contact``), the only way Close finds a contact by
an email or custom field (``GET /contact/`` filters by ``lead_id`` only, close-api.md
§6.2); its index trails writes (§9b), the same limit as the lead upsert's. Every hit is
re-checked exactly client-side.

Changes: text fields and custom fields are replaced when they differ; email, phone and URL
lists only ever gain what the row has and the contact lacks (what is in Close stays). A
matched contact stays on its lead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from airflow_provider_close.bulk.child_engine import ChildKind
from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
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
from airflow_provider_close.bulk.plan import CustomCheck, PreparedRow
from airflow_provider_close.bulk.pool import run_pool
from airflow_provider_close.bulk.ports import AsyncCloseAPI
from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact import build_contact_update

__all__ = [
    "CONTACT_PLANNER",
    "ContactFinder",
    "ContactKey",
    "ContactUpsertMapping",
    "contact_holds_key",
    "contact_kind",
    "contact_search_body",
    "parse_contact_mapping",
]

_TEXT: Final = ("name", "title")
_LISTS: Final = {"emails": "email", "phones": "phone", "urls": "url"}
_MAX_RESULTS: Final = 10_000


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


@dataclass(frozen=True)
class ContactKey:
    """How a row is matched to a contact: ``email``, or a contact custom field (``cf_`` id)."""

    custom_field_id: str | None = None

    def normalise(self, value: str) -> str:
        """Return the comparable form of a key value (emails lower-cased)."""
        return value.strip() if self.custom_field_id else value.strip().lower()

    def column(self, mapping: ContactUpsertMapping, custom_keys: Mapping[str, str]) -> str:
        """Return the row column of the key, or raise :class:`MappingError`."""
        if self.custom_field_id is None and mapping.contact.lists.get("emails"):
            return mapping.contact.lists["emails"][0]
        for name, column in mapping.custom.items():
            if custom_keys.get(name) == f"custom.{self.custom_field_id}":
                return column
        raise MappingError(f"the match key ({self.custom_field_id or 'email'}) is not mapped")


def _points(contact: Mapping[str, Any], kind: str) -> list[str]:
    out = []
    for item in contact.get(kind) or []:
        value = item.get(_LISTS[kind]) if isinstance(item, Mapping) else item
        if value:
            out.append(str(value).strip())
    return out


def _comparable(kind: str, value: str) -> str:
    if kind == "phones":
        return re.sub(r"\D", "", value)
    return value.lower()


def _held_keys(key: ContactKey, contact: Mapping[str, Any]) -> set[str]:
    if key.custom_field_id is None:
        return {key.normalise(e) for e in _points(contact, "emails")}
    held = contact.get(f"custom.{key.custom_field_id}")
    items = held if isinstance(held, list) else [held]
    return {key.normalise(str(item)) for item in items if item is not None}


def contact_holds_key(key: ContactKey, contact: Mapping[str, Any], value: str) -> bool:
    """Return whether ``contact`` holds the key ``value`` exactly (emails case-insensitive).

    :param key: the contact match key.
    :param contact: a contact as read from Close.
    :param value: the row's key value.
    """
    return key.normalise(value) in _held_keys(key, contact)


def contact_search_body(
    key: ContactKey, values: Sequence[str], fields: Sequence[str]
) -> dict[str, Any]:
    """Return the ``/data/search/`` body finding contacts whose key is one of ``values``.

    :param key: the contact match key.
    :param values: the chunk of key values.
    :param fields: the contact fields to return.
    """
    if key.custom_field_id is None:
        node: dict[str, Any] = {
            "type": "has_related",
            "this_object_type": "contact",
            "related_object_type": "contact_email",
            "related_query": {
                "type": "or",
                "queries": [
                    {
                        "type": "field_condition",
                        "field": {
                            "type": "regular_field",
                            "object_type": "contact_email",
                            "field_name": "email",
                        },
                        "condition": {"type": "text", "mode": "phrase", "value": v},
                    }
                    for v in values
                ],
            },
        }
    else:
        node = {
            "type": "field_condition",
            "field": {"type": "custom_field", "custom_field_id": key.custom_field_id},
            "condition": {"type": "term", "values": list(values)},
        }
    query = {"type": "and", "queries": [{"type": "object_type", "object_type": "contact"}, node]}
    return {"query": query, "_fields": {"contact": list(dict.fromkeys(["id", *fields]))}}


async def _search_chunk(
    client: AsyncCloseAPI, key: ContactKey, fields: Sequence[str], chunk: Sequence[str]
) -> list[dict[str, Any]]:
    body = contact_search_body(key, chunk, fields)
    return [c async for c in client.iter_search(body, max_items=_MAX_RESULTS)]


@dataclass(frozen=True)
class ContactFinder:
    """Finds the contacts of the rows by their key, across the organisation (search).

    :param key: the contact match key.
    :param fields: the contact fields to fetch.
    :param chunk_size: key values per search.
    """

    key: ContactKey
    fields: Sequence[str]
    chunk_size: int

    async def __call__(
        self,
        client: AsyncCloseAPI,
        prepared: Sequence[PreparedRow],
        _lead_ids: Mapping[str, str],
        limiter: AdaptiveLimiter,
    ) -> dict[str, list[dict[str, Any]]]:
        """Return each row's key value -> the contacts holding it exactly (chunked searches).

        :param client: an ``AsyncCloseClient``.
        :param prepared: the prepared rows.
        :param _lead_ids: unused (contacts are matched across the organisation).
        :param limiter: bounds concurrent searches.
        """
        key, size = self.key, self.chunk_size
        values = list(dict.fromkeys(p.key for p in prepared if p.desired and p.key))
        chunks = [values[i : i + size] for i in range(0, len(values), size)]
        found: dict[str, dict[str, dict[str, Any]]] = {}
        search = partial(_search_chunk, client, key, self.fields)
        for part in await run_pool(client, limiter, chunks, search):
            for contact in part:
                for held in _held_keys(key, contact):
                    found.setdefault(held, {})[str(contact["id"])] = contact
        return {v: list(found.get(key.normalise(v), {}).values()) for v in values}


def contact_fields_to_fetch(custom_keys: Mapping[str, str], key: ContactKey) -> list[str]:
    """Return the contact fields a diff and a key check need.

    :param custom_keys: the mapping's custom keys.
    :param key: the contact match key.
    """
    wanted = ["id", "lead_id", *_TEXT, *_LISTS, *custom_keys.values()]
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
    keep = (_LISTS[kind], "type")
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
            if field in _LISTS:
                have = {_comparable(field, p) for p in _points(current, field)}
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
        key_column=key.column(mapping, custom_keys),
        normalise=key.normalise,
        make=make,
        find=ContactFinder(key, fields, chunk_size),
        holds_key=partial(contact_holds_key, key),
        key_fields=fields,
        creates_leads=True,
    )
