"""``POST /data/search/``: validate the body, run the query, sort, page by cursor, project."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from airflow_provider_close.sandbox.errors import BadRequest, limit_too_large
from airflow_provider_close.sandbox.models.leads import render_lead
from airflow_provider_close.sandbox.pagination import project
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.search.advanced import check_query, node_matches
from airflow_provider_close.sandbox.search.candidates import candidate_objects
from airflow_provider_close.sandbox.search.keyset_cache import keyset_found
from airflow_provider_close.sandbox.search.objects import SearchObject
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["CURSOR_LIFETIME_SECONDS", "MAX_CURSOR_RESULTS", "run_search"]

MAX_CURSOR_RESULTS = 10_000
CURSOR_LIFETIME_SECONDS = 30
_DEFAULT_LIMIT = 100


def _encode_cursor(position: int, issued: datetime) -> str:
    text = json.dumps({"p": position, "t": issued.timestamp()})
    return base64.urlsafe_b64encode(text.encode()).decode()


def _cursor_position(cursor: Any, now: datetime) -> int:
    if cursor is None:
        return 0
    try:
        payload = json.loads(base64.urlsafe_b64decode(str(cursor).encode()))
        position, issued = int(payload["p"]), float(payload["t"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BadRequest("Invalid cursor.") from None
    if now.timestamp() - issued > CURSOR_LIFETIME_SECONDS:
        raise BadRequest("The cursor has expired. Please start the search again.")
    return position


def _limit(body: Mapping[str, Any], max_limit: int) -> int:
    raw = body.get("_limit", _DEFAULT_LIMIT)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise BadRequest(f'_limit must be an integer (got "{raw}" instead).')
    if raw > max_limit:
        raise limit_too_large(max_limit)
    return raw


def _results_limit(body: Mapping[str, Any]) -> int | None:
    raw = body.get("results_limit")
    if raw is not None and (isinstance(raw, bool) or not isinstance(raw, int) or raw < 0):
        raise BadRequest(f'results_limit must be an integer (got "{raw}" instead).')
    return raw


def _sorted(found: list[SearchObject], sort: Any) -> list[SearchObject]:
    if not isinstance(sort, list):
        raise BadRequest("sort must be a list.")
    if not all(isinstance(spec, dict) and isinstance(spec.get("field"), dict) for spec in sort):
        raise BadRequest('sort must be a list of {"direction": ..., "field": {...}}.')
    for spec in reversed(sort):
        field = spec["field"]
        name = str(field.get("field_name") or f"custom.{field.get('custom_field_id', '')}")
        found.sort(key=_sort_key(name), reverse=spec.get("direction") == "desc")
    return found


def _sort_key(name: str) -> Callable[[SearchObject], tuple[bool, str]]:
    def key(obj: SearchObject) -> tuple[bool, str]:
        value = obj.record.get(name)
        return value is None, str(value)

    return key


def _result(state: SandboxState, obj: SearchObject, fields: Mapping[str, Any]) -> Record:
    wanted = fields.get(obj.object_type)
    item: Record = {"__object_type": obj.object_type, "id": obj.record["id"]}
    if isinstance(wanted, list):
        full = render_lead(state, dict(obj.record)) if obj.object_type == "lead" else obj.record
        item.update(project(full, wanted))
    return item


def run_search(state: SandboxState, body: Mapping[str, Any], max_limit: int) -> Record:
    """Return one page of an Advanced Filtering search: ``{"data": [...], "cursor": ...}``.

    A cursor walk stops after :data:`MAX_CURSOR_RESULTS` objects; cursors expire after
    :data:`CURSOR_LIFETIME_SECONDS` of sandbox clock time.

    :param state: the sandbox state.
    :param body: the request body (``query``, ``_limit``, ``cursor``, ``_fields``, ``sort``,
        ``results_limit``, ``include_counts``).
    :param max_limit: the largest ``_limit``.
    :raises BadRequest: a malformed query, limit or cursor.
    """
    if not isinstance(body.get("query"), dict):
        raise BadRequest("The query field is required.")
    check_query(body["query"])
    limit = _limit(body, max_limit)
    now = state.now()
    start = _cursor_position(body.get("cursor"), now)
    with state.lock:
        indexed = state.search_records()  # the index trails writes (see search/index.py)
        found = keyset_found(state, indexed, body)  # a keyset walk's pages, cached
        if found is None:
            query = body["query"]
            candidates = candidate_objects(indexed, query)
            found = [o for o in candidates if node_matches(indexed, o, query)]
            found = _sorted(found, body.get("sort") or [])
        cap = min(len(found), MAX_CURSOR_RESULTS, _results_limit(body) or len(found))
        stop = min(start + limit, cap)
        fields = body.get("_fields") or {}
        if not isinstance(fields, dict):
            raise BadRequest("_fields must be an object of object type -> field names.")
        data = [_result(state, obj, fields) for obj in found[start:stop]]
    page: Record = {"data": data, "cursor": _encode_cursor(stop, now) if stop < cap else None}
    if body.get("include_counts"):
        page["count"] = {"total": len(found), "limited": cap}
    return page
