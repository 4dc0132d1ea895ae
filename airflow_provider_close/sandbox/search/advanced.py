"""Evaluation of Advanced Filtering query trees (``POST /data/search/``).

Nodes: ``and``/``or`` (``queries``), ``negate`` (``query``), ``object_type``, ``id``
(``value`` or ``values``), ``text`` (``value``, ``mode``), ``field_condition`` (``field``,
``condition``), ``has_related`` (``this_object_type``, ``related_object_type``,
``related_query``) and ``match_all``. Every node may carry ``"negate": true``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.search.conditions import condition_matches, text_matches
from airflow_provider_close.sandbox.search.objects import (
    SearchObject,
    SearchSource,
    field_values,
    related_objects,
)

__all__ = ["NODE_TYPES", "check_query", "node_matches"]

_Evaluator = Callable[[SearchSource, SearchObject, Mapping[str, Any]], bool]


def _children(node: Mapping[str, Any]) -> list[Any]:
    queries = node.get("queries")
    if not isinstance(queries, list):
        raise BadRequest(f"A {node.get('type')} query needs a list of queries.")
    return queries


def _and(state: SearchSource, obj: SearchObject, node: Mapping[str, Any]) -> bool:
    return all(node_matches(state, obj, child) for child in _children(node))


def _or(state: SearchSource, obj: SearchObject, node: Mapping[str, Any]) -> bool:
    return any(node_matches(state, obj, child) for child in _children(node))


def _negate(state: SearchSource, obj: SearchObject, node: Mapping[str, Any]) -> bool:
    return not node_matches(state, obj, node.get("query"))


def _object_type(_state: SearchSource, obj: SearchObject, node: Mapping[str, Any]) -> bool:
    return obj.object_type == node.get("object_type")


def _id(_state: SearchSource, obj: SearchObject, node: Mapping[str, Any]) -> bool:
    wanted = node.get("values", node.get("ids", [node.get("value")]))
    return obj.record.get("id") in (wanted if isinstance(wanted, list) else [wanted])


def _texts(state: SearchSource, obj: SearchObject) -> list[str]:
    record = obj.record
    texts = [str(record.get(name) or "") for name in ("name", "description", "title")]
    for key, item_key in (("emails", "email"), ("phones", "phone")):
        texts += [str(item.get(item_key)) for item in record.get(key) or []]
    if obj.object_type == "lead":
        for contact in related_objects(state, obj, "contact"):
            texts += _texts(state, contact)
    return texts


def _text(state: SearchSource, obj: SearchObject, node: Mapping[str, Any]) -> bool:
    needle = str(node.get("value") or "")
    mode = str(node.get("mode") or "beginning_of_words")
    return any(text_matches(text, needle, mode) for text in _texts(state, obj))


def _field_condition(_state: SearchSource, obj: SearchObject, node: Mapping[str, Any]) -> bool:
    return condition_matches(field_values(obj, node.get("field")), node.get("condition"))


def _has_related(state: SearchSource, obj: SearchObject, node: Mapping[str, Any]) -> bool:
    this_type = node.get("this_object_type")
    if this_type is not None and this_type != obj.object_type:
        return False
    related = related_objects(state, obj, str(node.get("related_object_type")))
    query = node.get("related_query", {"type": "match_all"})
    return any(node_matches(state, item, query) for item in related)


def _match_all(_state: SearchSource, _obj: SearchObject, _node: Mapping[str, Any]) -> bool:
    return True


NODE_TYPES: Mapping[str, _Evaluator] = {
    "and": _and,
    "or": _or,
    "negate": _negate,
    "object_type": _object_type,
    "id": _id,
    "text": _text,
    "field_condition": _field_condition,
    "has_related": _has_related,
    "match_all": _match_all,
}


def node_matches(state: SearchSource, obj: SearchObject, node: Any) -> bool:
    """Return whether ``obj`` satisfies the query ``node``.

    :param state: the records as search sees them (for relations).
    :param obj: the object.
    :param node: the query node.
    :raises BadRequest: an unknown node type or malformed node.
    """
    if not isinstance(node, dict) or node.get("type") not in NODE_TYPES:
        kind = node.get("type") if isinstance(node, dict) else node
        raise BadRequest(f"Unsupported query type: {kind!r}.")
    result = NODE_TYPES[node["type"]](state, obj, node)
    return not result if node.get("negate") else result


def check_query(node: Any) -> None:
    """Raise Close's 400 for an unknown or malformed node anywhere in a query tree.

    Close parses a query before running it, so a bad node is refused whatever the data; an
    evaluation alone would only notice it on an object that reaches the node.

    :param node: the query node.
    :raises BadRequest: an unknown node type, or ``and``/``or`` without a list of queries.
    """
    if not isinstance(node, dict) or node.get("type") not in NODE_TYPES:
        kind = node.get("type") if isinstance(node, dict) else node
        raise BadRequest(f"Unsupported query type: {kind!r}.")
    if node["type"] in ("and", "or"):
        for child in _children(node):
            check_query(child)
    elif node["type"] == "negate":
        check_query(node.get("query"))
    elif node["type"] == "has_related":
        check_query(node.get("related_query", {"type": "match_all"}))
