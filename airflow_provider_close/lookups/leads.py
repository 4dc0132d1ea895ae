"""Find existing leads by a match key, in batches, through Advanced Filtering.

Close has no upsert and no duplicate detection on create (close-api.md §9.1), so every
"create or update" starts with a lookup. This module turns a chunk of key values into one
``POST /data/search/`` query (cursor-walked by the client), then re-checks every returned
lead client-side, because a search may match more loosely than we want (word matching on
text, tokenised emails). Matching is exact; emails compare case-insensitively.

The query nodes follow the Advanced Filtering page (developer.close.com
``/api/resources/advanced-filtering``) and the filters Close's own UI copies out:

* custom field: ``field_condition`` on ``{"type": "custom_field", "custom_field_id": ...}``
  with a ``term`` condition holding all values of the chunk;
* lead name: an ``or`` of ``field_condition`` ``text`` (``mode: phrase``) nodes on the
  ``regular_field`` ``lead.name``;
* contact email: ``has_related`` lead -> ``contact`` -> ``has_related`` contact ->
  ``contact_email``, with an ``or`` of ``text`` (``phrase``) nodes on ``contact_email.email``.

The sync and async finders share :func:`lead_key_search_body` and :func:`leads_by_value`;
only the loop that drains ``iter_search`` differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient, CloseClient

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "LeadMatchKey",
    "LeadMatchKind",
    "afind_leads_by_key",
    "find_leads_by_key",
    "lead_key_search_body",
    "lead_key_values",
    "leads_by_value",
    "normalise_key_value",
]

LeadMatchKind = Literal["custom_field", "name", "contact_email"]

#: Values per ``/data/search/`` request. One walk returns at most 10 000 objects (§5).
DEFAULT_CHUNK_SIZE = 100
_MAX_RESULTS_PER_WALK = 10_000
_CUSTOM_PREFIX = "custom."


@dataclass(frozen=True)
class LeadMatchKey:
    """How a warehouse row is matched to an existing lead.

    :param kind: ``custom_field`` (an "External ID"-style field), ``name`` (the lead name)
        or ``contact_email`` (any email of any contact of the lead).
    :param custom_field_id: the lead custom field id (``cf_...``; a ``custom.cf_...`` key is
        accepted and stripped); required for ``custom_field``, forbidden otherwise.
    """

    kind: LeadMatchKind
    custom_field_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("custom_field", "name", "contact_email"):
            raise ValueError(
                f"unknown match key kind {self.kind!r}; allowed: custom_field, name, contact_email"
            )
        if self.kind == "custom_field":
            if not self.custom_field_id:
                raise ValueError("a custom_field match key needs custom_field_id")
            bare = self.custom_field_id.removeprefix(_CUSTOM_PREFIX)
            object.__setattr__(self, "custom_field_id", bare)
        elif self.custom_field_id is not None:
            raise ValueError(
                f"custom_field_id is only valid for kind custom_field, not {self.kind}"
            )

    @property
    def lead_field(self) -> str:
        """The lead field (``_fields`` name) that holds this key's values."""
        if self.kind == "custom_field":
            return f"{_CUSTOM_PREFIX}{self.custom_field_id}"
        return "name" if self.kind == "name" else "contacts"


def normalise_key_value(key: LeadMatchKey, value: object) -> str:
    """Return the comparable form of a key value: emails trimmed and lower-cased, else ``str``.

    :param key: the match key.
    :param value: a value from a row or from a lead.
    """
    text = value if isinstance(value, str) else str(value)
    return text.strip().lower() if key.kind == "contact_email" else text


def lead_key_values(key: LeadMatchKey, lead: Mapping[str, Any]) -> set[str]:
    """Return the normalised key values a lead holds (several for emails or multi-value fields).

    :param key: the match key.
    :param lead: a lead as returned by Close (with the key's field fetched).
    """
    if key.kind == "contact_email":
        return {
            normalise_key_value(key, email["email"])
            for contact in lead.get("contacts") or []
            for email in contact.get("emails") or []
            if email.get("email")
        }
    raw = lead.get(key.lead_field)
    items: Iterable[object] = raw if isinstance(raw, list) else [raw]
    return {normalise_key_value(key, item) for item in items if item is not None and item != ""}


def _text_node(object_type: str, field_name: str, value: str) -> dict[str, Any]:
    return {
        "type": "field_condition",
        "field": {"type": "regular_field", "object_type": object_type, "field_name": field_name},
        "condition": {"type": "text", "mode": "phrase", "value": value},
    }


def _key_node(key: LeadMatchKey, values: Sequence[str]) -> dict[str, Any]:
    if key.kind == "custom_field":
        return {
            "type": "field_condition",
            "field": {"type": "custom_field", "custom_field_id": key.custom_field_id},
            "condition": {"type": "term", "values": list(values)},
        }
    if key.kind == "name":
        return {"type": "or", "queries": [_text_node("lead", "name", v) for v in values]}
    emails = {"type": "or", "queries": [_text_node("contact_email", "email", v) for v in values]}
    return {
        "type": "has_related",
        "this_object_type": "lead",
        "related_object_type": "contact",
        "related_query": {
            "type": "has_related",
            "this_object_type": "contact",
            "related_object_type": "contact_email",
            "related_query": emails,
        },
    }


def lead_key_search_body(
    key: LeadMatchKey, values: Sequence[str], fields: Sequence[str] | None = None
) -> dict[str, Any]:
    """Return the ``/data/search/`` body finding leads whose key is one of ``values``.

    :param key: the match key.
    :param values: the (non-empty) chunk of values to look up.
    :param fields: extra lead fields to return; ``id``, ``name`` and the key field always are.
    """
    if not values:
        raise ValueError("lead_key_search_body needs at least one value")
    wanted = ["id", "name", key.lead_field, *(fields or ())]
    return {
        "query": {
            "type": "and",
            "queries": [{"type": "object_type", "object_type": "lead"}, _key_node(key, values)],
        },
        "_fields": {"lead": list(dict.fromkeys(wanted))},
    }


def leads_by_value(
    key: LeadMatchKey, values: Iterable[str], leads: Iterable[Mapping[str, Any]]
) -> dict[str, list[dict[str, Any]]]:
    """Return each requested value mapped to the leads that hold it exactly (``[]`` if none).

    :param key: the match key.
    :param values: the values asked for, as given (the result is keyed by them).
    :param leads: the leads a search returned (may include looser matches and repeats).
    """
    by_norm: dict[str, dict[str, dict[str, Any]]] = {}
    for lead in leads:
        for held in lead_key_values(key, lead):
            by_norm.setdefault(held, {})[str(lead["id"])] = dict(lead)
    return {v: list(by_norm.get(normalise_key_value(key, v), {}).values()) for v in values}


def _chunks(key: LeadMatchKey, values: Sequence[str], size: int) -> Iterator[list[str]]:
    normalised = (normalise_key_value(key, v) for v in values)
    unique = list(dict.fromkeys(v for v in normalised if v.strip()))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def find_leads_by_key(
    client: CloseClient,
    key: LeadMatchKey,
    values: Sequence[str],
    *,
    fields: Sequence[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> dict[str, list[dict[str, Any]]]:
    """Return each value mapped to the existing leads matching it exactly, one search per chunk.

    :param client: a ``CloseClient``.
    :param key: the match key.
    :param values: the key values to look up (blank values are never sent and map to ``[]``).
    :param fields: extra lead fields to fetch for each match (e.g. the fields to diff).
    :param chunk_size: values per ``/data/search/`` request.
    """
    found: list[dict[str, Any]] = []
    for chunk in _chunks(key, values, chunk_size):
        body = lead_key_search_body(key, chunk, fields)
        found.extend(client.iter_search(body, max_items=_MAX_RESULTS_PER_WALK))
    return leads_by_value(key, values, found)


async def afind_leads_by_key(
    client: AsyncCloseClient,
    key: LeadMatchKey,
    values: Sequence[str],
    *,
    fields: Sequence[str] | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> dict[str, list[dict[str, Any]]]:
    """Async twin of :func:`find_leads_by_key` for an ``AsyncCloseClient``.

    :param client: an ``AsyncCloseClient``.
    :param key: the match key.
    :param values: the key values to look up.
    :param fields: extra lead fields to fetch for each match.
    :param chunk_size: values per ``/data/search/`` request.
    """
    found: list[dict[str, Any]] = []
    for chunk in _chunks(key, values, chunk_size):
        body = lead_key_search_body(key, chunk, fields)
        found.extend(
            [lead async for lead in client.iter_search(body, max_items=_MAX_RESULTS_PER_WALK)]
        )
    return leads_by_value(key, values, found)
