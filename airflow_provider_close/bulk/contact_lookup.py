"""Finding contacts by an email or a contact custom field, across the organisation.

Through Advanced Filtering (``POST /data/search/``, ``object_type: contact``): the only way
Close finds a contact by an email or custom field (``GET /contact/`` filters by
``lead_id`` only, close-api.md §6.2). Its index trails writes (§9b), the limit the lead
upsert has too. Queries are chunked, run on the bulk worker pool, and every hit is
re-checked exactly (emails trimmed and case-insensitive).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.plan import PreparedRow
from airflow_provider_close.bulk.pool import run_pool

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

__all__ = [
    "ContactFinder",
    "ContactKey",
    "contact_holds_key",
    "contact_points",
    "contact_search_body",
]

LIST_FIELDS: Final = {"emails": "email", "phones": "phone", "urls": "url"}
_MAX_RESULTS: Final = 10_000


@dataclass(frozen=True)
class ContactKey:
    """How a row is matched to a contact: ``email``, or a contact custom field (``cf_`` id)."""

    custom_field_id: str | None = None

    def normalise(self, value: str) -> str:
        """Return the comparable form of a key value (emails lower-cased)."""
        return value.strip() if self.custom_field_id else value.strip().lower()


def contact_points(contact: Mapping[str, Any], kind: str) -> list[str]:
    """Return a contact's addresses, numbers or URLs, trimmed.

    :param contact: a contact as read from Close, or a mapped one.
    :param kind: ``emails``, ``phones`` or ``urls``.
    """
    out = []
    for item in contact.get(kind) or []:
        value = item.get(LIST_FIELDS[kind]) if isinstance(item, Mapping) else item
        if value:
            out.append(str(value).strip())
    return out


def _held_keys(key: ContactKey, contact: Mapping[str, Any]) -> set[str]:
    if key.custom_field_id is None:
        return {key.normalise(e) for e in contact_points(contact, "emails")}
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
    client: AsyncCloseClient, key: ContactKey, fields: Sequence[str], chunk: Sequence[str]
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
        client: AsyncCloseClient,
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
        for part in await run_pool(client, limiter, chunks, search, group=("POST", "data/search/")):
            for contact in part:
                for held in _held_keys(key, contact):
                    found.setdefault(held, {})[str(contact["id"])] = contact
        return {v: list(found.get(key.normalise(v), {}).values()) for v in values}
