"""The ``/event/`` log: building event records and listing them with Close's cursor rules."""

from __future__ import annotations

import base64
import binascii
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from airflow_provider_close.sandbox.errors import BadRequest, limit_too_large, not_an_integer
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.timestamps import format_naive, parse_moment

__all__ = [
    "ALLOWED_FILTER_SETS",
    "RETENTION",
    "EventDraft",
    "RequestMeta",
    "event_page",
    "is_retained",
    "make_event",
]

#: How long Close keeps events (close-api.md §7): older ones are gone from ``/event/``.
RETENTION = timedelta(days=30)
_FILTERS = ("object_type", "object_id", "action", "lead_id", "user_id", "request_id")
#: Filter combinations Close accepts (close-api.md §7); ``date_updated__*`` may be added.
ALLOWED_FILTER_SETS = frozenset(
    frozenset(names)
    for names in (
        (),
        ("object_type", "object_id"),
        ("object_type", "action"),
        ("object_id", "action"),
        ("lead_id", "object_type"),
        ("lead_id", "object_type", "action"),
        ("lead_id", "user_id", "object_type"),
        ("lead_id", "user_id", "object_type", "action"),
        ("lead_id", "user_id"),
        ("user_id", "object_id"),
        ("user_id", "object_id", "action"),
        ("user_id", "object_type"),
        ("user_id", "object_type", "action"),
        ("lead_id",),
        ("user_id",),
        ("request_id",),
    )
)
_DATE_OPS: Mapping[str, Callable[[datetime, datetime], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


@dataclass(frozen=True)
class RequestMeta:
    """Where a write came from, recorded on its event.

    :param method: HTTP method.
    :param path: request path, e.g. ``/api/v1/lead/``.
    :param request_id: the ``req_…`` id given to the request.
    :param extra: more ``meta`` keys, e.g. ``merge_source_lead_id`` on a merge's events.
    """

    method: str
    path: str
    request_id: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventDraft:
    """What changed, before the state gives it an id and a time.

    :param object_type: e.g. ``activity.call``.
    :param action: ``created``, ``updated``, ``deleted`` (or ``sent``, ``completed``…).
    :param record: the object after the change (before it, on delete).
    :param previous: the changed fields' old values (the whole object on delete).
    :param changed: names of the changed fields.
    """

    object_type: str
    action: str
    record: Record
    previous: Record
    changed: list[str]


def make_event(
    draft: EventDraft,
    *,
    event_id: str,
    moment: datetime,
    organization_id: str,
    user_id: str | None,
    meta: RequestMeta | None,
) -> Record:
    """Return the event record Close would log for ``draft``.

    :param draft: the change.
    :param event_id: the new ``ev_…`` id.
    :param moment: the datetime of the change.
    :param organization_id: the org id.
    :param user_id: the acting user.
    :param meta: the request that caused it, if any.
    """
    record = draft.record
    lead_id = record.get("id") if draft.object_type == "lead" else record.get("lead_id")
    stamp = format_naive(moment)
    return {
        "id": event_id,
        "date_created": stamp,
        "date_updated": stamp,
        "organization_id": organization_id,
        "user_id": user_id,
        "request_id": meta.request_id if meta else None,
        "api_key_id": None,
        "object_type": draft.object_type,
        "object_id": record.get("id"),
        "lead_id": lead_id,
        "action": draft.action,
        "changed_fields": draft.changed,
        "data": None if draft.action == "deleted" else record,
        "previous_data": draft.previous,
        "meta": _meta(meta),
    }


def _meta(meta: RequestMeta | None) -> Record:
    if meta is None:
        return {}
    return {"request_method": meta.method, "request_path": meta.path, **meta.extra}


def is_retained(event: Mapping[str, object], now: datetime) -> bool:
    """Return whether ``event`` is still inside Close's 30-day retention at ``now``.

    :param event: a stored event.
    :param now: the sandbox clock's time.
    """
    moment = parse_moment(str(event["date_updated"]))
    return moment is not None and moment >= now - RETENTION


def _check_filters(params: Mapping[str, str]) -> None:
    used = frozenset(name for name in _FILTERS if params.get(name))
    if used not in ALLOWED_FILTER_SETS:
        raise BadRequest(
            "This combination of filters is not supported: " + ", ".join(sorted(used)) + "."
        )


def _date_matches(event: Record, params: Mapping[str, str]) -> bool:
    for op, compare in _DATE_OPS.items():
        raw = params.get(f"date_updated__{op}")
        if raw is None:
            continue
        bound = parse_moment(raw)
        moment = parse_moment(event["date_updated"])
        if bound is None:
            raise BadRequest(f"Invalid date_updated__{op}: {raw!r}.")
        if moment is None or not compare(moment, bound):
            return False
    return True


def _matches(event: Record, params: Mapping[str, str]) -> bool:
    for name in _FILTERS:
        wanted = params.get(name)
        if wanted and event.get(name) != wanted:
            return False
    return _date_matches(event, params)


def _encode_cursor(direction: str, event: Record) -> str:
    text = f"{direction}|{event['id']}|{event['date_updated']}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[str, str, str]:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("Invalid cursor.") from None
    parts = text.split("|")
    if len(parts) != 3 or parts[0] not in ("next", "prev"):
        raise BadRequest("Invalid cursor.")
    return parts[0], parts[1], parts[2]


def _anchor_index(ordered: list[Record], event_id: str, date_updated: str) -> int:
    for index, event in enumerate(ordered):
        if event["id"] == event_id:
            return index
    # The anchor event is gone: continue from the first older event.
    for index, event in enumerate(ordered):
        if event["date_updated"] < date_updated:
            return index - 1
    return len(ordered) - 1


def _window(ordered: list[Record], cursor: str | None, limit: int) -> tuple[int, int]:
    if not cursor:
        return 0, min(limit, len(ordered))
    direction, event_id, date_updated = _decode_cursor(cursor)
    anchor = _anchor_index(ordered, event_id, date_updated)
    if direction == "next":
        return anchor + 1, min(anchor + 1 + limit, len(ordered))
    return max(anchor - limit, 0), max(anchor, 0)


def _limit(params: Mapping[str, str], max_limit: int) -> int:
    raw = params.get("_limit")
    if not raw:
        return max_limit
    try:
        limit = int(raw)
    except ValueError:
        raise not_an_integer("_limit", raw) from None
    if limit > max_limit:
        raise limit_too_large(max_limit)
    return max(limit, 1)


def event_page(
    events: Iterable[Record], params: Mapping[str, str], max_limit: int, now: datetime
) -> Record:
    """Return one cursor page of events, newest ``date_updated`` first.

    Events older than :data:`RETENTION` at ``now`` are gone, as in Close.

    :param events: every stored event, oldest first.
    :param params: the query parameters (filters, ``_cursor``, ``_limit``).
    :param max_limit: the largest (and default) ``_limit``.
    :param now: the sandbox clock's time.
    :raises BadRequest: a filter combination Close refuses, ``_skip``, or a bad cursor/limit.
    """
    if "_skip" in params:
        raise BadRequest("_skip is not supported for events; use _cursor.")
    _check_filters(params)
    limit = _limit(params, max_limit)
    matching = [
        event
        for event in reversed(list(events))
        if _matches(event, params) and is_retained(event, now)
    ]
    matching.sort(key=lambda event: event["date_updated"], reverse=True)
    start, stop = _window(matching, params.get("_cursor"), limit)
    data = matching[start:stop]
    return {
        "data": data,
        "cursor_next": _encode_cursor("next", data[-1]) if stop < len(matching) else None,
        "cursor_previous": _encode_cursor("prev", data[0]) if data and start > 0 else None,
    }
