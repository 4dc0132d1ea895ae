"""De-duplication fingerprints for activities and tasks, and the lookups that use them.

Close has no idempotency key (close-api.md §9.1): re-sending ``POST /activity/call/`` logs
the call twice. Before writing, we list the lead's activities of that kind and compare
fingerprints: a sha256 over a canonical JSON of the *identifying* fields the payload sets
(lead, contact, direction, phone, content, time, ...). Normalisation makes the payload and
what Close returns comparable:

* ``note`` and ``note_html`` become one ``content`` text (tags dropped, entities unescaped,
  whitespace collapsed), since Close derives one from the other (§6.4);
* datetimes become UTC, to the second; dates stay ``YYYY-MM-DD``;
* phone numbers keep ``+`` and digits (Close stores E.164);
* numbers with an integral value become ints (``95.0`` == ``95`` == ``"95"`` is *not*
  assumed: only real numbers are folded).

Only fields present in the payload take part, and an existing activity is fingerprinted over
the payload's field set, so Close's extra fields never break a match.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_close.client.resources import ActivityType
from airflow_provider_close.client.timestamps import (
    parse_date_text,
    parse_datetime_text,
    parse_moment,
    parse_moment_or_none,
)

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient

__all__ = [
    "IDENTIFYING_FIELDS",
    "TASK_IDENTIFYING_FIELDS",
    "ActivityKind",
    "activity_fingerprint",
    "activity_listing_params",
    "created_at",
    "find_existing_activity",
    "find_existing_task",
    "fingerprint_over",
    "identifying_fields",
    "task_fingerprint",
    "task_listing_params",
]

#: The activity kinds (the client's own enumeration, under the name the lookups use).
ActivityKind = ActivityType

_CONTENT = "content"
_TIME_FIELDS = frozenset({"activity_at", "date_created", "date", "starts_at", "date_scheduled"})
_PHONE_FIELDS = frozenset({"phone", "local_phone", "remote_phone"})
_TIME_CANDIDATES = ("activity_at", "date_created")
#: How far before the payload's time we still list (clock skew, second truncation).
_LISTING_MARGIN = timedelta(minutes=5)
#: Upper bound on a lead's activities of one kind that we are willing to scan.
_MAX_SCANNED = 10_000

IDENTIFYING_FIELDS: Mapping[str, tuple[str, ...]] = {
    "call": (
        "lead_id",
        "contact_id",
        "direction",
        "phone",
        "duration",
        _CONTENT,
        *_TIME_CANDIDATES,
    ),
    "sms": ("lead_id", "contact_id", "direction", "text", "remote_phone", *_TIME_CANDIDATES),
    "note": ("lead_id", "contact_id", "title", _CONTENT, *_TIME_CANDIDATES),
    "email": (
        "lead_id",
        "contact_id",
        "direction",
        "sender",
        "to",
        "subject",
        "body_text",
        *_TIME_CANDIDATES,
    ),
    "meeting": ("lead_id", "title", "starts_at"),
}
TASK_IDENTIFYING_FIELDS: tuple[str, ...] = ("lead_id", "contact_id", "text", "date")


def _html_text(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]*>", " ", markup))


def _content(record: Mapping[str, Any]) -> str | None:
    if record.get("note_html"):
        text = _html_text(str(record["note_html"]))
    elif record.get("note") is not None:
        text = str(record["note"])
    else:
        return None
    return " ".join(text.split())


def _utc_second(value: str) -> str:
    if len(value) == 10:  # a plain date (tasks): keep it as is
        day = parse_date_text(value)
        return value if day is None else day.isoformat()
    parsed = parse_moment_or_none(value)
    if parsed is None:  # not ours to validate: compare it verbatim
        return value
    return parsed.replace(microsecond=0).isoformat()


def _normalised(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in _TIME_FIELDS:
        return _utc_second(value.isoformat() if isinstance(value, date) else str(value))
    if field in _PHONE_FIELDS:
        return re.sub(r"[^\d+]", "", str(value))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return " ".join(value.split())
    return value


def _field_value(record: Mapping[str, Any], field: str) -> Any:
    if field == _CONTENT:
        return _content(record)
    if field == "phone" and record.get("phone") is None:
        return _normalised(field, record.get("remote_phone"))
    return _normalised(field, record.get(field))


def identifying_fields(candidates: Sequence[str], payload: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the candidate fields the payload actually sets (``content`` for note/note_html).

    :param candidates: the identifying fields of the kind (:data:`IDENTIFYING_FIELDS`).
    :param payload: the payload about to be sent.
    """
    return tuple(f for f in candidates if _field_value(payload, f) is not None)


def fingerprint_over(kind: str, record: Mapping[str, Any], fields: Sequence[str]) -> str:
    """Return the sha256 hex digest of ``kind`` and the normalised ``fields`` of ``record``.

    :param kind: the activity kind, or ``task``.
    :param record: a payload or an object returned by Close.
    :param fields: the identifying fields to include.
    """
    canonical = {"kind": kind, **{f: _field_value(record, f) for f in sorted(fields)}}
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def activity_fingerprint(kind: ActivityKind, payload: Mapping[str, Any]) -> str:
    """Return the de-duplication fingerprint of an activity payload.

    :param kind: ``call``, ``sms``, ``note``, ``email`` or ``meeting``.
    :param payload: the create payload (or an activity read from Close).
    """
    fields = identifying_fields(IDENTIFYING_FIELDS[kind], payload)
    return fingerprint_over(kind, payload, fields)


def task_fingerprint(payload: Mapping[str, Any]) -> str:
    """Return the de-duplication fingerprint of a task payload.

    :param payload: the task create payload (or a task read from Close).
    """
    return fingerprint_over("task", payload, identifying_fields(TASK_IDENTIFYING_FIELDS, payload))


def _earliest_time(payload: Mapping[str, Any], fields: Sequence[str]) -> str | None:
    times = [_field_value(payload, f) for f in fields if f in _TIME_CANDIDATES]
    if not times:
        return None
    moments = [parse_datetime_text(t) if isinstance(t, str) else None for t in times]
    try:
        earliest = min(m for m in moments if m is not None) - _LISTING_MARGIN
    except (TypeError, ValueError):  # naive and aware mixed, or none parsed: do not narrow
        return None
    return None if None in moments else earliest.isoformat()  # a date-only time: do not narrow


def activity_listing_params(kind: ActivityKind, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the ``/activity/<kind>/`` filters listing the candidates for ``payload``.

    Narrowed by ``date_created__gte`` when the payload carries a time (an activity is never
    created in Close before it happened).

    :param kind: the activity kind.
    :param payload: the payload about to be sent; must have ``lead_id``.
    """
    if not payload.get("lead_id"):
        raise ValueError(f"a {kind} payload needs lead_id to be de-duplicated")
    params: dict[str, Any] = {"lead_id": payload["lead_id"]}
    since = _earliest_time(payload, identifying_fields(IDENTIFYING_FIELDS[kind], payload))
    if since is not None:
        params["date_created__gte"] = since
    return params


def task_listing_params(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the ``/task/`` filters listing the candidate duplicates of a task payload.

    :param payload: the task payload; must have ``lead_id``.
    """
    if not payload.get("lead_id"):
        raise ValueError("a task payload needs lead_id to be de-duplicated")
    return {"lead_id": payload["lead_id"], "_type": payload.get("_type", "lead")}


def created_at(record: Mapping[str, Any]) -> datetime | None:
    """Return a Close object's ``date_created`` as an aware datetime (None if unparsable).

    :param record: an object read from Close.
    """
    return parse_moment_or_none(record.get("date_created"))


def _bounded(params: dict[str, Any], since: datetime | None) -> dict[str, Any]:
    """Return ``params`` with ``date_created__gte`` raised to ``since`` (if later)."""
    if since is None:
        return params
    bound = since.astimezone(UTC)
    if params.get("date_created__gte") is not None:
        bound = max(bound, parse_moment(str(params["date_created__gte"])))
    return {**params, "date_created__gte": bound.isoformat()}


def _first_with_fingerprint(
    kind: str,
    candidates: Iterator[dict[str, Any]],
    payload: Mapping[str, Any],
    fields: Sequence[str],
    since: datetime | None,
) -> dict[str, Any] | None:
    wanted = fingerprint_over(kind, payload, fields)
    for candidate in candidates:
        created = created_at(candidate)
        recent = since is None or (created is not None and created >= since)
        if recent and fingerprint_over(kind, candidate, fields) == wanted:
            return candidate
    return None


def find_existing_activity(
    client: CloseClient,
    kind: ActivityKind,
    payload: Mapping[str, Any],
    *,
    created_since: datetime | None = None,
) -> dict[str, Any] | None:
    """Return the activity of ``kind`` on the payload's lead with the same fingerprint, if any.

    :param client: a ``CloseClient``.
    :param kind: the activity kind.
    :param payload: the payload about to be sent; must have ``lead_id``.
    :param created_since: only activities created at or after this instant count (asked of
        the server with ``date_created__gte`` and re-checked on each candidate), so an older
        look-alike is never taken for the one an interrupted attempt created.
    """
    fields = identifying_fields(IDENTIFYING_FIELDS[kind], payload)
    params = _bounded(activity_listing_params(kind, payload), created_since)
    items = client.iter_items(f"activity/{kind}/", params, max_items=_MAX_SCANNED)
    return _first_with_fingerprint(kind, items, payload, fields, created_since)


def find_existing_task(
    client: CloseClient, payload: Mapping[str, Any], *, created_since: datetime | None = None
) -> dict[str, Any] | None:
    """Return the task on the payload's lead with the same fingerprint, if any.

    :param client: a ``CloseClient``.
    :param payload: the task payload; must have ``lead_id``.
    :param created_since: as for :func:`find_existing_activity`.
    """
    fields = identifying_fields(TASK_IDENTIFYING_FIELDS, payload)
    params = _bounded(task_listing_params(payload), created_since)
    items = client.iter_items("task/", params, max_items=_MAX_SCANNED)
    return _first_with_fingerprint("task", items, payload, fields, created_since)
