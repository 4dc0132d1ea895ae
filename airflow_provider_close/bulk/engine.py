"""The bulk lead upsert: map, look up in batches, plan, then write concurrently.

No Airflow here: the operator resolves inputs and custom field names, then awaits
:func:`upsert_leads` with an ``AsyncCloseClient``. The run is lookup-first, which is what
makes it idempotent: a second run over the same rows finds every lead and writes nothing;
a run killed mid-way and retried finds the leads it already created.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.diff import lead_fields_to_fetch
from airflow_provider_close.bulk.mapping import LeadMapping
from airflow_provider_close.bulk.modes import PlanRules
from airflow_provider_close.bulk.pending import PendingCreate, resolve_pending
from airflow_provider_close.bulk.plan import (
    CustomCheck,
    RowPlan,
    key_column,
    plan_rows,
    prepare_rows,
)
from airflow_provider_close.bulk.pool import run_pool
from airflow_provider_close.bulk.ports import AsyncCloseAPI
from airflow_provider_close.bulk.progress import Progress
from airflow_provider_close.bulk.results import RowResult
from airflow_provider_close.bulk.stop import StopSignal, unknown_result
from airflow_provider_close.bulk.writes import WriteSettings, apply_plan, unwritten
from airflow_provider_close.idempotency.rule import (
    DEFAULT_SETTLE_SECONDS,
    Clock,
    SystemClock,
    trusted_after,
)
from airflow_provider_close.lookups.leads import (
    DEFAULT_CHUNK_SIZE,
    LeadMatchKey,
    afind_leads_by_key,
)

T = TypeVar("T")
W = TypeVar("W")
R = TypeVar("R")

__all__ = ["UpsertOptions", "UpsertRun", "limited", "lookup_in_chunks", "upsert_leads"]


@dataclass(frozen=True)
class UpsertOptions:
    """Tuning of one upsert run.

    :param dry_run: look up and plan only; report ``would_create``/``would_update``.
    :param max_concurrency: rows (or lookup chunks) in flight at most.
    :param lookup_chunk_size: key values per ``/data/search/`` request.
    :param progress_interval: seconds between two progress log lines.
    :param write_attempts: sends of one write at most after unknown outcomes.
    :param settle_seconds: how long after a lost lead create a search finding nothing is
        believed (Close's search index trails writes; close-api.md §9b).
    :param lost_before: on a retry of the run, an instant before which an earlier try may
        have created leads: the first lookup waits until a search could have seen them.
    :param clock: the clock of the settle window (tests inject the sandbox's).
    :param rules: the sync mode and the fields filled only when empty (``bulk/modes.py``).
    :param stop: set by ``on_kill``: no row starts after it; lost creates are left ``unknown``.
    """

    dry_run: bool = False
    max_concurrency: int = 8
    lookup_chunk_size: int = DEFAULT_CHUNK_SIZE
    progress_interval: float = 5.0
    write_attempts: int = 5
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    lost_before: datetime | None = None
    clock: Clock = field(default_factory=SystemClock)
    rules: PlanRules = field(default_factory=PlanRules)
    stop: StopSignal | None = None


@dataclass
class UpsertRun:
    """The outcome of a run.

    :param results: one result per input row, in input order.
    :param rate_limited: 429 answers the client saw during the run.
    :param elapsed: seconds the run took.
    :param peak_concurrency: the most rows in flight at once.
    """

    results: list[RowResult]
    rate_limited: int
    elapsed: float
    peak_concurrency: int


async def limited(
    limiter: AdaptiveLimiter, client: AsyncCloseAPI, work: Callable[[], Awaitable[T]]
) -> T:
    """Run ``work()`` in a limiter slot, then feed the client's rate readings back.

    The coroutine is only created once a slot is held, so a cancelled run leaves none behind.

    :param limiter: the run's limiter.
    :param client: the client whose ``stats`` and ``last_rate_limit`` steer the limiter.
    :param work: makes the coroutine to run.
    """
    async with limiter.slot():
        result = await work()
    await limiter.feedback(client.stats.rate_limited, client.last_rate_limit)
    return result


async def run_writes(
    client: AsyncCloseAPI,
    limiter: AdaptiveLimiter,
    progress: Progress,
    items: Sequence[W],
    write: Callable[[W], Awaitable[R]],
    *,
    rate_limited_before: int,
    skip: Callable[[W], R | None] | None = None,
) -> list[R]:
    """Write every item on the run's worker pool (``bulk/pool.py``); return results in order.

    Progress advances per item and carries the 429s seen since ``rate_limited_before``.

    :param client: the client (its ``stats`` count 429s).
    :param limiter: the run's limiter.
    :param progress: the run's progress log.
    :param items: what to write.
    :param write: makes one item's write coroutine.
    :param rate_limited_before: the client's 429 count when the run started.
    :param skip: the stop check, asked before each item starts (``run_pool``).
    """

    def done(_: R) -> None:
        progress.rate_limited = client.stats.rate_limited - rate_limited_before
        progress.advance()

    results = await run_pool(client, limiter, items, write, on_done=done, skip=skip)
    progress.rate_limited = client.stats.rate_limited - rate_limited_before
    progress.log()
    return results


def finished_run(
    results: list[RowResult], progress: Progress, limiter: AdaptiveLimiter
) -> UpsertRun:
    """Return the run's outcome: results in input-row order, 429s, time, peak concurrency.

    :param results: one result per input row, in any order.
    :param progress: the run's progress log.
    :param limiter: the run's limiter.
    """
    return UpsertRun(
        results=sorted(results, key=lambda r: r["row"]),
        rate_limited=progress.rate_limited,
        elapsed=progress.elapsed,
        peak_concurrency=limiter.peak,
    )


async def lookup_in_chunks(
    client: AsyncCloseAPI,
    key: LeadMatchKey,
    values: Sequence[str],
    fields: Sequence[str],
    *,
    chunk_size: int,
    limiter: AdaptiveLimiter,
) -> dict[str, list[dict[str, Any]]]:
    """Return value -> matching leads, looking chunks up on a worker pool bounded by ``limiter``.

    :param client: an ``AsyncCloseClient``.
    :param key: the match key.
    :param values: the distinct key values.
    :param fields: lead fields to fetch for diffing.
    :param chunk_size: values per search.
    :param limiter: bounds concurrent searches.
    """
    chunks = [values[i : i + chunk_size] for i in range(0, len(values), chunk_size)]
    found: dict[str, list[dict[str, Any]]] = {}
    lookup = partial(afind_leads_by_key, client, key, fields=fields)
    for part in await run_pool(client, limiter, chunks, lookup):
        found.update(part)
    return found


async def upsert_leads(
    client: AsyncCloseAPI,
    rows: Sequence[Mapping[str, Any]],
    mapping: LeadMapping,
    key: LeadMatchKey,
    custom_keys: Mapping[str, str],
    *,
    options: UpsertOptions = UpsertOptions(),
    check_custom: CustomCheck | None = None,
) -> UpsertRun:
    """Upsert ``rows`` as leads; return one result per row (never raises for a row).

    :param client: an ``AsyncCloseClient``.
    :param rows: the input rows.
    :param mapping: the validated mapping.
    :param key: the match key.
    :param custom_keys: custom field name (as in the mapping) -> ``custom.cf_...`` key.
    :param options: tuning.
    :param check_custom: checks each custom value against its field's definition.
    """
    progress = Progress(total=len(rows), interval=options.progress_interval)
    progress.start()
    rate_limited_before = client.stats.rate_limited
    limiter = AdaptiveLimiter(options.max_concurrency)
    column = key_column(mapping, key, custom_keys)
    prepared = prepare_rows(rows, mapping, column, custom_keys, check_custom)
    values = list(dict.fromkeys(p.key for p in prepared if p.desired and p.key))
    fields = lead_fields_to_fetch(mapping.fields, custom_keys.values())
    await _settle_earlier_try(options)
    found = await lookup_in_chunks(
        client,
        key,
        values,
        fields,
        chunk_size=options.lookup_chunk_size,
        limiter=AdaptiveLimiter(options.max_concurrency),  # searches have a budget of their own
    )
    plans = plan_rows(key, prepared, found, rules=options.rules)
    results = unwritten(plans, options.dry_run)
    progress.advance(len(results))
    settings = WriteSettings(key, options.write_attempts, options.clock)
    to_write = [] if options.dry_run else [p for p in plans if p.action in ("create", "update")]
    written = await run_writes(
        client,
        limiter,
        progress,
        to_write,
        partial(_apply, client, settings),
        rate_limited_before=rate_limited_before,
        skip=None if (stop := options.stop) is None else lambda p: stop.result_for(p.index, p.key),
    )
    pending = [w for w in written if isinstance(w, PendingCreate)]
    done = [w for w in written if not isinstance(w, PendingCreate)]
    if stop is not None and stop.requested:
        resolved = [unknown_result(p.plan.index, p.plan.key) for p in pending]
    else:
        resolved = await _resolve(client, key, pending, options, limiter) if pending else []
    return finished_run([*results, *done, *resolved], progress, limiter)


async def _settle_earlier_try(options: UpsertOptions) -> None:
    """On a retry, wait until a search could see the leads an earlier try created."""
    if options.lost_before is None or options.dry_run:
        return
    trust_at = trusted_after("search", options.lost_before, options.settle_seconds)
    wait = (trust_at - options.clock.now()).total_seconds()
    if wait > 0:
        await options.clock.asleep(wait)


async def _resolve(
    client: AsyncCloseAPI,
    key: LeadMatchKey,
    pending: list[PendingCreate],
    options: UpsertOptions,
    limiter: AdaptiveLimiter,
) -> list[RowResult]:
    """Resolve the lost lead creates once a search could have seen them (bulk/pending.py)."""

    async def send(payload: dict[str, object]) -> dict[str, Any]:
        return await limited(limiter, client, partial(client.post, "lead/", payload))

    async def lookup(values: list[str]) -> dict[str, list[dict[str, Any]]]:
        chunk = options.lookup_chunk_size
        return await lookup_in_chunks(client, key, values, [], chunk_size=chunk, limiter=limiter)

    return await resolve_pending(
        pending,
        send=send,
        lookup=lookup,
        clock=options.clock,
        settle_seconds=options.settle_seconds,
        attempts=options.write_attempts,
    )


def _apply(
    client: AsyncCloseAPI, settings: WriteSettings, plan: RowPlan
) -> Awaitable[RowResult | PendingCreate]:
    return apply_plan(client, plan, settings)
