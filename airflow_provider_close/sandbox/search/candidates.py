"""The objects a query may match, found through the term index instead of a scan.

A full evaluation tests every lead and contact. Most searches an integration sends pin the
result down by equality: ``and(object_type lead, field_condition term [values])`` (a lookup by
external id), ``id`` nodes, whole words of a ``text`` condition (a lookup by email or name),
``has_related`` from a lead to its contacts and from a contact to its emails, ``and``/``or`` of
those. :func:`candidate_objects` reads such a query's
narrowing parts and returns the objects that can satisfy them, from the term index of the
stores (``search/term_index.py``) plus every object whose search version is held back by the
index lag; the caller still evaluates the whole query on each. Anything it cannot narrow
(negation, word beginnings, ranges, other relations) leaves every object a candidate, so
results are those of the full scan, in its order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.search.conditions import words_of
from airflow_provider_close.sandbox.search.index import IndexedRecords
from airflow_provider_close.sandbox.search.objects import SearchObject, searchable_objects
from airflow_provider_close.sandbox.search.term_index import INDEXED_KINDS, Analysis

__all__ = ["candidate_objects"]

#: kind -> candidate ids, or None for every object of that kind; a kind missing: none of it.
_Narrowing = dict[str, frozenset[str] | None]
_EVERYTHING: _Narrowing = dict.fromkeys(INDEXED_KINDS)
_FIELD_TYPES = ("custom_field", "regular_field")


def _intersection(left: _Narrowing, right: _Narrowing) -> _Narrowing:
    both: _Narrowing = {}
    for kind in left.keys() & right.keys():
        a, b = left[kind], right[kind]
        both[kind] = b if a is None else a if b is None else a & b
    return both


def _union(left: _Narrowing, right: _Narrowing) -> _Narrowing:
    either: _Narrowing = {}
    for kind in left.keys() | right.keys():
        if kind not in left or kind not in right:
            either[kind] = left.get(kind, right.get(kind))
            continue
        a, b = left[kind], right[kind]
        either[kind] = None if a is None or b is None else a | b
    return either


def _indexed_terms(condition: Any) -> tuple[list[Any], Analysis] | None:
    """Return what an object must hold for ``condition`` to match it, and in which index.

    ``term``: one of its values; ``text`` in ``phrase``/``full_words`` mode: every word of
    the text, so at least the first (None: a condition the index cannot narrow).
    """
    if not isinstance(condition, dict):
        return None
    if condition.get("type") == "term" and isinstance(condition.get("values"), list):
        return list(condition["values"]), "term"
    if condition.get("type") == "text":
        mode = str(condition.get("mode") or "full_words")  # conditions._text's default
        words = words_of(condition.get("value") or "")
        if mode in ("phrase", "full_words") and words:
            return words[:1], "words"
    return None


def _field_narrowing(
    records: IndexedRecords, node: Mapping[str, Any], kinds: tuple[str, ...], field: Any
) -> _Narrowing:
    wanted = _indexed_terms(node.get("condition"))
    if not isinstance(field, dict) or field.get("type") not in _FIELD_TYPES or wanted is None:
        return _EVERYTHING
    values, analysis = wanted
    terms = records.terms
    return {
        kind: frozenset(terms.ids_with_terms(kind, field, values, records.stored[kind], analysis))
        for kind in kinds
    }


def _condition_narrowing(records: IndexedRecords, node: Mapping[str, Any]) -> _Narrowing:
    field = node.get("field")
    kinds: tuple[str, ...] = INDEXED_KINDS
    if (
        isinstance(field, dict)
        and field.get("type") == "regular_field"
        and field.get("object_type")
    ):
        kinds = tuple(kind for kind in INDEXED_KINDS if kind == field["object_type"])
    return _field_narrowing(records, node, kinds, field)


def _email_narrowing(records: IndexedRecords, node: Any) -> frozenset[str] | None:
    """Return the stored contacts one of whose emails may match ``node`` (None: any may).

    ``node`` is evaluated on a contact's ``contact_email`` objects; an email's ``email`` is
    what the contact's ``emails`` field yields, so the contacts' index of that field answers.
    """
    if not isinstance(node, dict) or node.get("negate"):
        return None
    kind = node.get("type")
    if kind in ("and", "or") and isinstance(node.get("queries"), list) and node["queries"]:
        parts = [_email_narrowing(records, child) for child in node["queries"]]
        known = [part for part in parts if part is not None]
        if kind == "and":
            return frozenset.intersection(*known) if known else None
        return None if len(known) < len(parts) else frozenset.union(*known)
    field = node.get("field")
    if kind != "field_condition" or not isinstance(field, dict):
        return None
    if field.get("type") != "regular_field" or field.get("field_name") != "email":
        return None
    if field.get("object_type") not in (None, "contact_email"):
        return None
    emails = {"type": "regular_field", "object_type": "contact", "field_name": "emails"}
    return _field_narrowing(records, node, ("contact",), emails).get("contact")


def _related_narrowing(records: IndexedRecords, node: Mapping[str, Any]) -> _Narrowing:
    pair = (node.get("this_object_type"), node.get("related_object_type"))
    query = node.get("related_query", {"type": "match_all"})
    if pair == ("contact", "contact_email"):
        return {"contact": _email_narrowing(records, query)}
    if pair != ("lead", "contact"):
        return _EVERYTHING
    inner = _narrowing(records, query)
    if "contact" not in inner:
        return {"lead": frozenset()}
    contact_ids = inner["contact"]
    if contact_ids is None:
        return {"lead": None}
    view = records.contacts
    reachable = contact_ids | frozenset(records.held.get("contact", ()))
    return {"lead": frozenset(str(view[c].get("lead_id")) for c in reachable if c in view)}


def _narrowing(records: IndexedRecords, node: Any) -> _Narrowing:
    """Return what a node lets through, at most (never less than what it matches)."""
    if not isinstance(node, dict) or node.get("negate"):
        return _EVERYTHING
    kind = node.get("type")
    if kind == "object_type":
        wanted = node.get("object_type")
        return {wanted: None} if wanted in INDEXED_KINDS else {}
    if kind == "id":
        ids = node.get("values", node.get("ids", [node.get("value")]))
        listed = ids if isinstance(ids, list) else [ids]
        return dict.fromkeys(INDEXED_KINDS, frozenset(i for i in listed if isinstance(i, str)))
    if kind == "field_condition":
        return _condition_narrowing(records, node)
    if kind == "has_related":
        return _related_narrowing(records, node)
    children = node.get("queries")
    if kind not in ("and", "or") or not isinstance(children, list) or not children:
        return _EVERYTHING
    combine = _intersection if kind == "and" else _union
    result = _narrowing(records, children[0])
    for child in children[1:]:
        result = combine(result, _narrowing(records, child))
    return result


def candidate_objects(records: IndexedRecords, query: Any) -> list[SearchObject]:
    """Return the leads and contacts ``query`` may match, in the order of a full scan.

    :param records: the records as search sees them (the state lock held).
    :param query: the search's query node (not validated here: the evaluation does that).
    """
    narrowing = _narrowing(records, query)
    if narrowing == _EVERYTHING:
        return searchable_objects(records)
    found: list[SearchObject] = []
    for kind in INDEXED_KINDS:
        if kind not in narrowing:
            continue
        view = records.of_kind(kind)
        ids = narrowing[kind]
        if ids is None:
            found += [SearchObject(kind, record) for record in view.values()]
            continue
        held = records.held.get(kind, ())
        stored = records.stored[kind]
        places = records.terms.place(kind, stored)
        late = {object_id: i for i, object_id in enumerate(held) if object_id not in stored}
        chosen = [i for i in ids | frozenset(held) if i in view]
        chosen.sort(key=lambda i: (1, late[i]) if i in late else (0, places[i]))
        found += [SearchObject(kind, view[i]) for i in chosen]
    return found
