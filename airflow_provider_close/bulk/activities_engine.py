"""Bulk logging of calls, SMS, notes and tasks, de-duplicated by fingerprint.

Each row is a create payload, checked by the client's payload builders (an invalid row is
reported with the reason, never sent). Valid rows are grouped by lead; each lead's existing
objects of the kind are listed **once** and fingerprinted (``lookups/activities.py``), so a
re-run logs nothing twice (``unchanged``, with the existing id). Identical rows within one
input are written once; the repeats are ``duplicate_key``. A ``POST`` with an unknown
outcome is resolved by listing the lead again before anything is re-sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Final, cast

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.mapping import is_blank
from airflow_provider_close.bulk.pool import run_pool
from airflow_provider_close.bulk.progress import Progress
from airflow_provider_close.bulk.results import RowAction, RowResult
from airflow_provider_close.bulk.runs import UpsertRun, finished_run, run_writes
from airflow_provider_close.bulk.stop import StopSignal
from airflow_provider_close.client.errors import (
    CloseError,
    ClosePayloadError,
    CloseUnknownOutcomeError,
)
from airflow_provider_close.client.payloads import (
    build_call_payload,
    build_note_payload,
    build_sms_payload,
    build_task_payload,
)
from airflow_provider_close.lookups.activities import (
    IDENTIFYING_FIELDS,
    TASK_IDENTIFYING_FIELDS,
    ActivityKind,
    activity_listing_params,
    fingerprint_over,
    identifying_fields,
)

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

__all__ = [
    "ACTIVITY_KINDS",
    "ActivityOptions",
    "ActivityRow",
    "create_activities",
    "group_key",
    "listing_params",
    "prepare_activity",
]


def _log_sms(**row: Any) -> Mapping[str, Any]:
    return build_sms_payload(mode="log", **row)


_BUILDERS: Final[Mapping[str, Callable[..., Mapping[str, Any]]]] = {
    "call": build_call_payload,
    "sms": _log_sms,
    "note": build_note_payload,
    "task": build_task_payload,
}
ACTIVITY_KINDS: Final = tuple(_BUILDERS)
_MAX_LISTED: Final = 10_000


@dataclass(frozen=True)
class ActivityOptions:
    """Tuning of one bulk activity run.

    :param max_concurrency: rows (or lead listings) in flight at most.
    :param progress_interval: seconds between progress lines.
    :param write_attempts: sends of one row at most after unknown outcomes.
    :param stop: set by ``on_kill``: no row starts after it (``bulk/stop.py``).
    """

    max_concurrency: int = 64
    progress_interval: float = 5.0
    write_attempts: int = 5
    stop: StopSignal | None = None


@dataclass
class ActivityRow:
    """One checked row.

    :param index: position in the input.
    :param payload: the checked create body (``None`` when invalid).
    :param fields: the identifying fields the payload sets.
    :param fingerprint: the de-duplication fingerprint.
    :param reason: why the row is invalid.
    """

    index: int
    payload: dict[str, Any] | None
    fields: tuple[str, ...] = ()
    fingerprint: str | None = None
    reason: str | None = None


def _candidates(kind: str) -> tuple[str, ...]:
    return TASK_IDENTIFYING_FIELDS if kind == "task" else IDENTIFYING_FIELDS[kind]


def prepare_activity(kind: str, index: int, row: object) -> ActivityRow:
    """Return the checked row (payload and fingerprint), or an invalid one with the reason.

    :param kind: ``call``, ``sms``, ``note`` or ``task``.
    :param index: position in the input.
    :param row: the input row (columns named like the payload builder's parameters).
    """
    if not isinstance(row, Mapping):
        return ActivityRow(index, None, reason=f"row is not a dict but {type(row).__name__}")
    cleaned = {str(k): (None if is_blank(v) else v) for k, v in row.items()}
    try:
        payload = dict(_BUILDERS[kind](**cleaned))
    except ClosePayloadError as error:
        return ActivityRow(index, None, reason=str(error))
    except TypeError as error:  # a column the builder does not take
        return ActivityRow(index, None, reason=f"unexpected column: {error}")
    fields = identifying_fields(_candidates(kind), payload)
    return ActivityRow(index, payload, fields, fingerprint_over(kind, payload, fields))


def group_key(kind: str, payload: Mapping[str, Any]) -> tuple[str, str]:
    """Return the listing group of a payload: its lead (and, for tasks, the task type).

    :param kind: the kind.
    :param payload: a checked payload.
    """
    return str(payload["lead_id"]), str(payload.get("_type", "lead")) if kind == "task" else ""


def listing_params(kind: str, payloads: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return the filters listing one group's existing objects (one request walk per group).

    :param kind: the kind.
    :param payloads: the group's payloads (same lead).
    """
    lead_id, task_type = group_key(kind, payloads[0])
    if kind == "task":
        return {"lead_id": lead_id, "_type": task_type}
    activity_kind = cast(ActivityKind, kind)
    since = [activity_listing_params(activity_kind, p).get("date_created__gte") for p in payloads]
    params: dict[str, Any] = {"lead_id": lead_id}
    if all(since):
        params["date_created__gte"] = min(str(s) for s in since)
    return params


def _result(row: ActivityRow, action: RowAction, close_id: object, error: str | None) -> RowResult:
    return RowResult(
        row=row.index,
        key=row.fingerprint,
        action=action,
        close_id=None if close_id is None else str(close_id),
        error=error,
    )


def _match(kind: str, row: ActivityRow, existing: Sequence[Mapping[str, Any]]) -> Any:
    for item in existing:
        if fingerprint_over(kind, item, row.fields) == row.fingerprint:
            return item.get("id")
    return None


async def _listing(client: AsyncCloseClient, kind: str, rows: Sequence[ActivityRow]) -> list[Any]:
    payloads = [r.payload for r in rows if r.payload is not None]
    path = "task/" if kind == "task" else f"activity/{kind}/"
    params = listing_params(kind, payloads)
    return [item async for item in client.iter_items(path, params, max_items=_MAX_LISTED)]


async def _create(
    client: AsyncCloseClient, kind: str, row: ActivityRow, options: ActivityOptions
) -> RowResult:
    path = "task/" if kind == "task" else f"activity/{kind}/"
    try:
        for _ in range(options.write_attempts):
            try:
                created = await client.post(path, row.payload)
                return _result(row, "created", created.get("id"), None)
            except CloseUnknownOutcomeError:
                # The lead's list is consistent at once ("immediate" in idempotency.rule):
                # it could have seen the lost attempt, so it is believed without waiting.
                found = _match(kind, row, await _listing(client, kind, [row]))
                if found is not None:
                    return _result(row, "created", found, None)
        return _result(row, "failed", None, f"outcome unknown {options.write_attempts} times")
    except CloseError as error:
        return _result(row, "failed", None, f"{type(error).__name__}: {error}")


def _split(prepared: Sequence[ActivityRow]) -> tuple[list[RowResult], list[ActivityRow]]:
    """Return the results of invalid and repeated rows, and the rows still to check."""
    results: list[RowResult] = []
    first_seen: dict[str, int] = {}
    pending: list[ActivityRow] = []
    for row in prepared:
        if row.payload is None or row.fingerprint is None:
            results.append(_result(row, "invalid", None, row.reason))
        elif row.fingerprint in first_seen:
            same = f"same activity as row {first_seen[row.fingerprint]}"
            results.append(_result(row, "duplicate_key", None, same))
        else:
            first_seen[row.fingerprint] = row.index
            pending.append(row)
    return results, pending


async def create_activities(
    client: AsyncCloseClient,
    kind: str,
    rows: Sequence[Any],
    *,
    options: ActivityOptions = ActivityOptions(),
) -> UpsertRun:
    """Log ``rows`` as ``kind`` objects, skipping those already in Close; one result per row.

    :param client: an ``AsyncCloseClient``.
    :param kind: ``call``, ``sms``, ``note`` or ``task``.
    :param rows: the input rows (create payload fields as columns).
    :param options: tuning.
    """
    if kind not in _BUILDERS:
        raise ValueError(f"unknown kind {kind!r}; allowed: {', '.join(ACTIVITY_KINDS)}")
    progress = Progress(total=len(rows), interval=options.progress_interval)
    progress.start()
    before = client.stats.rate_limited
    limiter = AdaptiveLimiter(options.max_concurrency)
    results, pending = _split([prepare_activity(kind, i, row) for i, row in enumerate(rows)])
    groups: dict[tuple[str, str], list[ActivityRow]] = {}
    for row in pending:
        groups.setdefault(group_key(kind, row.payload or {}), []).append(row)
    path = "task/" if kind == "task" else f"activity/{kind}/"
    listings = await run_pool(
        client, limiter, list(groups.values()), partial(_listing, client, kind), group=("GET", path)
    )
    to_write: list[ActivityRow] = []
    for group, existing in zip(groups.values(), listings, strict=True):
        for row in group:
            if (found := _match(kind, row, existing)) is not None:
                results.append(_result(row, "unchanged", found, None))
            else:
                to_write.append(row)
    progress.advance(len(results))
    written = await run_writes(
        [(client, limiter, lambda row: _create(client, kind, row, options))],
        progress,
        to_write,
        rate_limited=lambda: client.stats.rate_limited - before,
        group=("POST", path),
        skip=None
        if (stop := options.stop) is None
        else lambda r: stop.result_for(r.index, r.fingerprint),
    )
    return finished_run([*results, *written], progress, limiter)
