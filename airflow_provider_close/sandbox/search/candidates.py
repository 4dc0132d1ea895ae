"""The objects a query may match, found through the term index instead of a scan.

A full evaluation tests every lead and contact. Most searches an integration sends pin the
result down by equality: ``and(object_type lead, field_condition term [values])`` (a lookup by
external id), ``id`` nodes, ``or`` of those. :func:`candidate_objects` reads such a query's
narrowing parts and returns the objects that can satisfy them, from the term index of the
stores (``search/term_index.py``) plus every object whose search version is held back by the
index lag; the caller still evaluates the whole query on each. Anything it cannot narrow
(negation, text, ranges, relations) leaves every object a candidate, so results are those of
the full scan, in its order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.search.index import IndexedRecords
from airflow_provider_close.sandbox.search.objects import SearchObject, searchable_objects
from airflow_provider_close.sandbox.search.term_index import INDEXED_KINDS

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


def _term_narrowing(records: IndexedRecords, node: Mapping[str, Any]) -> _Narrowing:
    field, condition = node.get("field"), node.get("condition")
    if not isinstance(field, dict) or field.get("type") not in _FIELD_TYPES:
        return _EVERYTHING
    if not isinstance(condition, dict) or condition.get("type") != "term":
        return _EVERYTHING
    wanted = condition.get("values")
    if not isinstance(wanted, list) or records.terms is None:
        return _EVERYTHING
    kinds: tuple[str, ...] = INDEXED_KINDS
    if field["type"] == "regular_field" and field.get("object_type") is not None:
        kinds = tuple(kind for kind in INDEXED_KINDS if kind == field["object_type"])
    return {
        kind: frozenset(records.terms.ids_with_terms(kind, field, wanted, records.stored[kind]))
        for kind in kinds
    }


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
        return _term_narrowing(records, node)
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
    if narrowing == _EVERYTHING or records.terms is None:
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
