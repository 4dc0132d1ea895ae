"""A fast path for keyset-walked searches, so the sandbox can serve 100 000 leads.

A keyset walk over Advanced Filtering sends the same search page after page, only the
``on_or_after`` of its ``moment_range`` moving: ``and(object_type T, field_condition
moment_range on T's date field)`` sorted ascending on that field. Evaluated naively each page
filters and sorts every lead and contact again. Here the objects of ``T`` within the
``before`` bound, sorted as :func:`..data_search` sorts them, are kept per state revision, and
the moving lower bound is found by bisection: the same objects in the same order as the naive
evaluation (a stable sort of a filtered list equals the filter of the stably sorted list).

Only used when no write is waiting in the search index (its lag would change what is visible
without a revision change); every other query takes the naive path.
"""

from __future__ import annotations

import bisect
import itertools
import weakref
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from airflow_provider_close.sandbox.search.conditions import condition_matches
from airflow_provider_close.sandbox.search.objects import (
    SearchObject,
    SearchSource,
    searchable_objects,
)
from airflow_provider_close.sandbox.state import SandboxState
from airflow_provider_close.sandbox.timestamps import parse_moment

__all__ = ["keyset_found"]

_DATE_FIELDS = ("date_created", "date_updated")
_UNORDERED = SearchObject("unordered", {})
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Per state: the last walk's key (revision, type, field, upper bound) and its sorted objects.
_CACHES: weakref.WeakKeyDictionary[SandboxState, tuple[tuple[Any, ...], list[SearchObject]]] = (
    weakref.WeakKeyDictionary()
)


def _walk_shape(body: Mapping[str, Any]) -> tuple[str, str, Any, Any] | None:
    """Return (object type, field, on_or_after, before) of a keyset-walk body, else None."""
    query, sort = body.get("query"), body.get("sort")
    if not isinstance(query, dict) or set(query) != {"type", "queries"} or query["type"] != "and":
        return None
    queries = query["queries"]
    if not isinstance(queries, list) or len(queries) != 2:
        return None
    kind, condition_node = queries
    if not isinstance(kind, dict) or kind != {
        "type": "object_type",
        "object_type": kind.get("object_type"),
    }:
        return None
    object_type = kind["object_type"]
    field = {"type": "regular_field", "object_type": object_type}
    if not isinstance(condition_node, dict) or set(condition_node) != {
        "type",
        "field",
        "condition",
    }:
        return None
    node_field = condition_node["field"]
    if condition_node["type"] != "field_condition" or not isinstance(node_field, dict):
        return None
    name = node_field.get("field_name")
    if node_field != {**field, "field_name": name} or name not in _DATE_FIELDS:
        return None
    condition = condition_node["condition"]
    if not isinstance(condition, dict) or condition.get("type") != "moment_range":
        return None
    if set(condition) - {"type", "on_or_after", "before"}:
        return None
    if sort != [{"direction": "asc", "field": {**field, "field_name": name}}]:
        return None
    return object_type, name, condition.get("on_or_after"), condition.get("before")


def keyset_found(
    state: SandboxState, indexed: SearchSource, body: Mapping[str, Any]
) -> list[SearchObject] | None:
    """Return the sorted matches of a keyset-walk search body, or None for any other body.

    :param state: the sandbox state (call with its lock held).
    :param indexed: the records as search sees them.
    :param body: the search body.
    """
    shape = _walk_shape(body)
    if shape is None or len(state.search_index):
        return None
    object_type, name, lower, upper = shape
    upper_only = {"type": "moment_range", "before": upper} if upper else {"type": "moment_range"}

    def compute() -> list[SearchObject]:
        found = [
            obj
            for obj in searchable_objects(indexed)
            if obj.object_type == object_type
            and condition_matches([obj.record.get(name)], upper_only)
        ]
        found.sort(key=lambda obj: str(obj.record.get(name)))  # data_search's sort key
        moments = [parse_moment(str(obj.record.get(name))) or _EPOCH for obj in found]
        # bisection needs the text order to be the time order (one timestamp format)
        in_order = all(a <= b for a, b in itertools.pairwise(moments))
        return found if in_order else [_UNORDERED]

    key = (state.revision, object_type, name, repr(upper))
    cached = _CACHES.get(state)
    if cached is None or cached[0] != key:
        cached = _CACHES[state] = (key, compute())
    found = cached[1]
    if found and found[0] is _UNORDERED:
        return None
    if lower is None:
        return list(found)
    lower_only = {"type": "moment_range", "on_or_after": lower}
    start = bisect.bisect_left(
        range(len(found)),
        True,
        key=lambda i: condition_matches([found[i].record.get(name)], lower_only),
    )
    return found[start:]
