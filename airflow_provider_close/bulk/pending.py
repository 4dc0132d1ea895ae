"""Lead creates whose outcome is unknown: set aside, then resolved at the end of the run.

A ``POST /lead/`` whose response was lost (``CloseUnknownOutcomeError``) may or may not
have created the lead, and the only way to find a lead by its key is search, which trails
writes (close-api.md §9b). So the row becomes a :class:`PendingCreate` and the run goes on
with the other rows. At the end, :func:`resolve_pending` waits until a search could have
seen every lost attempt (the settle window after the latest, on the injected clock: the
rule of ``idempotency.rule``), looks all pending keys up at once, then per row:

* exactly one lead holds the key: ``created`` with its id;
* several do: ``failed`` ("created N times"), never ``created``;
* none: the create is sent again (it did not happen); a lost re-send is pending again, for
  the next round. After ``attempts`` sends the row is ``failed`` with the reason.

Independent of how the engine schedules its writes: it only needs a ``send`` and a
``lookup`` callable, so a new concurrency scheme keeps this behaviour.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow_provider_close.bulk.plan import RowPlan
from airflow_provider_close.bulk.results import RowAction, RowResult
from airflow_provider_close.client.errors import CloseError, CloseUnknownOutcomeError
from airflow_provider_close.idempotency.rule import Clock, trusted_after

__all__ = ["PendingCreate", "resolve_pending"]

#: Sends a create payload; returns the lead Close stored.
SendCreate = Callable[[dict[str, object]], Awaitable[dict[str, Any]]]
#: Looks key values up; returns value -> the leads holding it.
LookupKeys = Callable[[list[str]], Awaitable[dict[str, list[dict[str, Any]]]]]


@dataclass(frozen=True)
class PendingCreate:
    """A row whose lead create may or may not have been applied.

    :param plan: the row's ``create`` plan (with its key).
    :param lost_at: when the last send was lost (the injected clock's time).
    :param sends: how many times the create was sent so far.
    """

    plan: RowPlan
    lost_at: datetime
    sends: int = 1


def _result(plan: RowPlan, action: RowAction, close_id: str | None, error: str | None) -> RowResult:
    return RowResult(row=plan.index, key=plan.key, action=action, close_id=close_id, error=error)


async def _resend(item: PendingCreate, send: SendCreate, clock: Clock) -> RowResult | PendingCreate:
    if item.plan.create is None:
        raise ValueError(f"row {item.plan.index}: a create plan needs a payload")
    try:
        lead = await send(item.plan.create)
    except CloseUnknownOutcomeError:
        return PendingCreate(item.plan, clock.now(), item.sends + 1)
    except CloseError as error:
        return _result(item.plan, "failed", None, f"{type(error).__name__}: {error}")
    return _result(item.plan, "created", str(lead["id"]), None)


async def _round(
    pending: Sequence[PendingCreate],
    found: dict[str, list[dict[str, Any]]],
    send: SendCreate,
    clock: Clock,
    attempts: int,
) -> tuple[list[RowResult], list[PendingCreate]]:
    done: list[RowResult] = []
    resend: list[PendingCreate] = []
    for item in pending:
        ids = [str(lead["id"]) for lead in found.get(str(item.plan.key), [])]
        if len(ids) == 1:
            done.append(_result(item.plan, "created", ids[0], None))
        elif ids:
            reason = f"created {len(ids)} times after lost responses: {', '.join(ids)}"
            done.append(_result(item.plan, "failed", None, reason))
        elif item.sends >= attempts:
            reason = f"not created: the response to all {item.sends} sends was lost"
            done.append(_result(item.plan, "failed", None, reason))
        else:
            resend.append(item)
    outcomes = await asyncio.gather(*(_resend(item, send, clock) for item in resend))
    done += [o for o in outcomes if not isinstance(o, PendingCreate)]
    return done, [o for o in outcomes if isinstance(o, PendingCreate)]


async def resolve_pending(
    pending: Sequence[PendingCreate],
    *,
    send: SendCreate,
    lookup: LookupKeys,
    clock: Clock,
    settle_seconds: float,
    attempts: int,
) -> list[RowResult]:
    """Return one result per pending row: ``created`` only when exactly one lead holds its key.

    :param pending: the rows whose create outcome is unknown.
    :param send: sends a create (the engine's, under its concurrency limit).
    :param lookup: looks keys up by search (the engine's, chunked and limited).
    :param clock: the settle window's clock (tests inject the sandbox's).
    :param settle_seconds: how long after a lost send a search is believed.
    :param attempts: sends of one create at most.
    """
    results: list[RowResult] = []
    while pending:
        trust_at = max(trusted_after("search", p.lost_at, settle_seconds) for p in pending)
        wait = (trust_at - clock.now()).total_seconds()
        if wait > 0:
            await clock.asleep(wait)
        try:
            found = await lookup(list(dict.fromkeys(str(p.plan.key) for p in pending)))
        except CloseError as error:
            reason = (
                f"outcome unknown, the confirming search failed: {type(error).__name__}: {error}"
            )
            return results + [_result(p.plan, "failed", None, reason) for p in pending]
        done, pending = await _round(pending, found, send, clock, attempts)
        results += done
    return results
