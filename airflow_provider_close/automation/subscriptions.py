"""Subscribe contacts to Close sequences from rows, never twice, every row reported.

Each row is checked (``subscription_body``) with the operator's defaults filling what it
lacks; an invalid row or a repeat of an earlier row's (sequence, contact) is reported, never
sent. One walk of ``GET /sequence_subscription/?sequence_id=`` per sequence finds who is
already subscribed (any status: Close's own bulk subscribe skips contacts that ever received
the sequence); those rows are ``unchanged``. The rest are sent on the bulk engine's bounded
pool; a lost answer is checked in the contact's (immediate) subscription list before it is sent
again. Row actions: ``created`` (subscribed now), ``unchanged`` (already subscribed),
``would_create`` (dry run), ``invalid``, ``duplicate_key``, ``failed``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.engine import UpsertRun
from airflow_provider_close.bulk.pool import run_pool
from airflow_provider_close.bulk.results import RowAction, RowResult
from airflow_provider_close.client.asynchronous import AsyncCloseClient
from airflow_provider_close.client.automation_payloads import subscription_body
from airflow_provider_close.client.errors import (
    CloseError,
    ClosePayloadError,
    CloseUnknownOutcomeError,
)
from airflow_provider_close.client.sequences import list_subscriptions, subscribe_contact

__all__ = ["subscribe_rows"]

#: The ``(method, path)`` whose rate-limit group sizes the pool: what the pool sends.
_SUBSCRIBE_GROUP = ("POST", "sequence_subscription/")


@dataclass(frozen=True)
class _Planned:
    row: int
    key: str
    body: dict[str, Any]


def _result(
    row: int, key: str | None, action: RowAction, close_id: Any = None, error: Any = None
) -> RowResult:
    return RowResult(
        row=row,
        key=key,
        action=action,
        close_id=None if close_id is None else str(close_id),
        error=None if error is None else str(error),
    )


def _plan(
    rows: Sequence[Any], defaults: Mapping[str, Any]
) -> tuple[list[_Planned], dict[int, RowResult]]:
    planned: list[_Planned] = []
    reported: dict[int, RowResult] = {}
    first_row: dict[str, int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            reported[index] = _result(index, None, "invalid", error=f"rows[{index}]: not an object")
            continue
        merged = {**defaults, **{k: v for k, v in row.items() if v is not None}}
        key = f"{merged.get('sequence_id')}:{merged.get('contact_id')}"
        try:
            body = subscription_body(f"rows[{index}]", merged)
        except ClosePayloadError as err:
            reported[index] = _result(index, key, "invalid", error=err)
            continue
        if key in first_row:
            error = f"same sequence and contact as row {first_row[key]}"
            reported[index] = _result(index, key, "duplicate_key", error=error)
            continue
        first_row[key] = index
        planned.append(_Planned(index, key, body))
    return planned, reported


async def _subscribed(client: AsyncCloseClient, sequence_ids: set[str]) -> dict[str, str]:
    """Return ``"<sequence>:<contact>"`` -> subscription id for every existing subscription."""
    found: dict[str, str] = {}
    for sequence_id in sorted(sequence_ids):
        for item in await list_subscriptions(client, sequence_id=sequence_id):
            found.setdefault(f"{sequence_id}:{item.get('contact_id')}", str(item["id"]))
    return found


async def _find_lost(client: AsyncCloseClient, body: Mapping[str, Any]) -> str | None:
    for item in await list_subscriptions(client, contact_id=str(body["contact_id"])):
        if item.get("sequence_id") == body["sequence_id"]:
            return str(item["id"])
    return None


async def _send(client: AsyncCloseClient, item: _Planned) -> RowResult:
    try:
        try:
            created = await subscribe_contact(client, item.body)
        except CloseUnknownOutcomeError:
            existing = await _find_lost(client, item.body)  # a plain list: believed at once
            if existing is not None:
                return _result(item.row, item.key, "created", existing)
            created = await subscribe_contact(client, item.body)
    except CloseError as err:
        return _result(item.row, item.key, "failed", error=f"{type(err).__name__}: {err}")
    return _result(item.row, item.key, "created", created.get("id"))


async def subscribe_rows(
    client: AsyncCloseClient,
    rows: Sequence[Any],
    defaults: Mapping[str, Any],
    *,
    dry_run: bool = False,
    max_concurrency: int = 64,
) -> UpsertRun:
    """Subscribe each row's contact to its sequence unless it already is; report every row.

    Returns the bulk engine's run record (results in row order, 429s seen, duration, peak).

    :param client: the asynchronous client.
    :param rows: the input rows (``sequence_id``, ``contact_id``, ``contact_email``,
        ``sender_account_id``, ``sender_name``, ``sender_email``, ``calls_assigned_to``).
    :param defaults: values for fields a row leaves out or null.
    :param dry_run: look only: rows to subscribe are ``would_create``.
    :param max_concurrency: subscriptions in flight at most (the rate budget may lower it).
    """
    started = time.monotonic()
    planned, reported = _plan(rows, defaults)
    existing = await _subscribed(client, {str(p.body["sequence_id"]) for p in planned})
    to_send: list[_Planned] = []
    for item in planned:
        if item.key in existing:
            reported[item.row] = _result(item.row, item.key, "unchanged", existing[item.key])
        elif dry_run:
            reported[item.row] = _result(item.row, item.key, "would_create")
        else:
            to_send.append(item)
    limiter = AdaptiveLimiter(max_concurrency)
    for result in await run_pool(
        client, limiter, to_send, lambda item: _send(client, item), group=_SUBSCRIBE_GROUP
    ):
        reported[result["row"]] = result
    return UpsertRun(
        results=[reported[index] for index in range(len(rows))],
        rate_limited=client.stats.rate_limited,
        elapsed=time.monotonic() - started,
        peak_concurrency=limiter.peak,
    )
