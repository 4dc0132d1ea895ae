"""The bulk lead upsert: map, look up in batches, plan, then write concurrently.

No Airflow here: the operator resolves inputs and custom field names, then awaits
:func:`upsert_leads` with an ``AsyncCloseClient``. The run is lookup-first, which is what
makes it idempotent: a second run over the same rows finds every lead and writes nothing;
a run killed mid-way and retried finds the leads it already created.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence, Sized
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from airflow_provider_close.bulk.batches import (
    batched_rows,
    keys_of_earlier_batches,
    read_ahead,
    unless_earlier,
)
from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.diff import lead_fields_to_fetch
from airflow_provider_close.bulk.mapping import LeadMapping
from airflow_provider_close.bulk.modes import PlanRules
from airflow_provider_close.bulk.pending import PendingCreate, resolve_pending
from airflow_provider_close.bulk.plan import (
    CustomCheck,
    PreparedRow,
    RowPlan,
    key_column,
    plan_rows,
    prepare_rows,
)
from airflow_provider_close.bulk.pool import Lane
from airflow_provider_close.bulk.progress import Progress
from airflow_provider_close.bulk.results import RowResult
from airflow_provider_close.bulk.runs import (
    UpsertRun,
    limited,
    lookup_in_chunks,
    run_writes,
)
from airflow_provider_close.bulk.seen_keys import SeenKeys
from airflow_provider_close.bulk.shards import check_shard
from airflow_provider_close.bulk.stop import StopSignal, unknown_result
from airflow_provider_close.bulk.writes import apply_plan, unwritten
from airflow_provider_close.idempotency.rule import (
    DEFAULT_SETTLE_SECONDS,
    Clock,
    SystemClock,
    trusted_after,
)
from airflow_provider_close.lookups.leads import (
    DEFAULT_CHUNK_SIZE,
    LeadMatchKey,
    normalise_key_value,
)

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

__all__ = [
    "ResultSink",
    "UpsertOptions",
    "UpsertRun",
    "limited",
    "lookup_in_chunks",
    "upsert_leads",
]

#: Receives one batch of row results (``ResultFile.add``, or ``list.extend``).
ResultSink = Callable[[list[RowResult]], None]


@dataclass(frozen=True)
class UpsertOptions:
    """Tuning of one upsert run.

    :param dry_run: look up and plan only; report ``would_create``/``would_update``.
    :param max_concurrency: rows (or lookup chunks) in flight at most; the pool is sized from
        the live rate budget below it (the default was 8: at 100 writes/s and 200 ms round
        trips, 8 in flight allow about 36 writes/s).
    :param lookup_chunk_size: key values per ``/data/search/`` request.
    :param progress_interval: seconds between two progress log lines.
    :param write_attempts: sends of one write at most after unknown outcomes.
    :param settle_seconds: how long after a lost lead create a search finding nothing is
        believed (Close's search index trails writes; close-api.md §9b).
    :param lost_before: on a retry of the run, an instant before which an earlier try may
        have created leads: the first lookup waits until a search could have seen them.
    :param clock: the clock of the settle window (tests inject the sandbox's).
    :param rules: the sync mode and the fields filled only when empty (``bulk/modes.py``).
    :param batch_size: input rows read, looked up, planned and written at a time (memory is
        bounded by it, not by the input); the first batch is one lookup chunk at most, so the
        first writes wait for one search, not ``batch_size / lookup_chunk_size`` of them.
    :param shard: ``(i, n)``: handle only the rows whose key hashes to shard ``i`` of ``n``
        (a stable CRC-32 of the normalised key; rows without a key by their index), so ``n``
        mapped tasks over the same input write every row once (``bulk/shards.py``).
    :param stop: set by ``on_kill``: no row starts after it, lost creates are left
        ``unknown``, and no batch is read after the one it found (``bulk/stop.py``).
    """

    dry_run: bool = False
    max_concurrency: int = 64
    lookup_chunk_size: int = DEFAULT_CHUNK_SIZE
    progress_interval: float = 5.0
    write_attempts: int = 5
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    lost_before: datetime | None = None
    clock: Clock = field(default_factory=SystemClock)
    rules: PlanRules = field(default_factory=PlanRules)
    batch_size: int = 1000
    shard: tuple[int, int] | None = None
    stop: StopSignal | None = None

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {self.batch_size}")
        if self.shard is not None:
            check_shard(self.shard)


@dataclass
class _Batches:
    """What a run keeps between batches: bounded by the batch, plus the few pending rows."""

    key: LeadMatchKey
    fields: list[str]
    options: UpsertOptions
    sink: ResultSink
    progress: Progress
    seen: SeenKeys
    clients: list[AsyncCloseClient]  # one per API key; the first also searches
    limiters: list[AdaptiveLimiter]  # one per client: each key's budget sizes its pool
    lookups: AdaptiveLimiter  # searches have a budget of their own
    rate_limited_before: int = 0
    pending: list[PendingCreate] = field(default_factory=list)

    def rate_limited(self) -> int:
        """Return the 429s the run's clients saw since it started."""
        return sum(c.stats.rate_limited for c in self.clients) - self.rate_limited_before


async def upsert_leads(
    client: AsyncCloseClient,
    rows: Iterable[Mapping[str, Any]],
    mapping: LeadMapping,
    key: LeadMatchKey,
    custom_keys: Mapping[str, str],
    *,
    options: UpsertOptions = UpsertOptions(),
    check_custom: CustomCheck | None = None,
    sink: ResultSink | None = None,
    more_clients: Sequence[AsyncCloseClient] = (),
) -> UpsertRun:
    """Upsert ``rows`` as leads, a batch at a time; one result per row (never raises for a row).

    Each batch of ``options.batch_size`` rows is mapped, looked up (one search per
    ``lookup_chunk_size`` keys), planned and written on the worker pool, and its results go
    to ``sink`` before the next batch is read. A key already held by a row of an earlier batch
    makes the later row ``duplicate_key`` (the earlier one was written; within a batch no row
    of a repeated key is written). Lost lead creates wait for the end of the run.

    :param client: an ``AsyncCloseClient``.
    :param rows: the input rows (any iterable: read lazily, ``batch_size`` at a time).
    :param mapping: the validated mapping.
    :param key: the match key.
    :param custom_keys: custom field name (as in the mapping) -> ``custom.cf_...`` key.
    :param options: tuning.
    :param check_custom: checks each custom value against its field's definition.
    :param sink: receives each batch of results (e.g. ``ResultFile.add``); without one they
        are collected into :attr:`UpsertRun.results`.
    :param more_clients: clients of other API keys of the same organisation: writes are
        shared between every key's pool (one queue), each sized from its own key's budget.
    """
    collected: list[RowResult] = []
    total = len(rows) if isinstance(rows, Sized) and options.shard is None else None
    progress = Progress(total=total, interval=options.progress_interval)
    progress.start()
    clients = [client, *more_clients]
    rate_limited_before = sum(c.stats.rate_limited for c in clients)
    run = _Batches(
        key,
        lead_fields_to_fetch(mapping.fields, custom_keys.values()),
        options,
        sink or collected.extend,
        progress,
        SeenKeys(),
        clients,
        [AdaptiveLimiter(options.max_concurrency) for _ in clients],
        AdaptiveLimiter(options.max_concurrency),
        rate_limited_before,
    )
    column = key_column(mapping, key, custom_keys)
    await _settle_earlier_try(options)
    batches = batched_rows(  # the first batch one search long: writes start after one search
        rows,
        size=options.batch_size,
        shard=options.shard,
        key=key,
        column=column,
        first=options.lookup_chunk_size,
    )

    async def plan(batch: tuple[list[int], list[Any]]) -> _Planned:
        prepared = prepare_rows(batch[1], mapping, column, custom_keys, check_custom)
        for offset, row in zip(batch[0], prepared, strict=True):
            row.index = offset
        if (stop := options.stop) is not None and stop.requested:
            return _Planned(prepared, None)
        return _Planned(prepared, await _plan_batch(client, run, prepared))

    writing: list[asyncio.Task[None]] = []  # batches whose writes run, oldest first
    try:
        async with aclosing(read_ahead(batches, plan)) as planned:  # the next batch's lookups
            async for ready in planned:  # overlap this one's writes
                if (stop := options.stop) is not None and stop.requested:  # one-way: read no more
                    if writing:  # the earlier batches' results go first
                        await writing[-1]
                    run.sink(stop.unread_batch([(p.index, p.key) for p in ready.prepared]))
                    break
                before = writing[-1] if writing else None
                writing = [t for t in writing if not t.done()]  # finished batches are let go
                await _start_batch(run, ready.plans or [], before, writing)
            if writing:
                await writing[-1]
    finally:
        for task in writing:
            task.cancel()
        await asyncio.gather(*writing, return_exceptions=True)
        run.seen.close()
    if run.pending and (stop := options.stop) is not None and stop.requested:
        run.sink([unknown_result(p.plan.index, p.plan.key) for p in run.pending])
    elif run.pending:
        run.sink(await _resolve(client, key, run.pending, options, run.limiters[0]))
    progress.rate_limited = run.rate_limited()
    return UpsertRun(
        results=sorted(collected, key=lambda r: r["row"]),
        rate_limited=progress.rate_limited,
        elapsed=progress.elapsed,
        peak_concurrency=sum(limiter.peak for limiter in run.limiters),
    )


@dataclass
class _Planned:
    """One batch, read and prepared; ``plans`` is ``None`` when it was read after a stop."""

    prepared: list[PreparedRow]
    plans: list[RowPlan] | None


async def _plan_batch(
    client: AsyncCloseClient, run: _Batches, prepared: list[PreparedRow]
) -> list[RowPlan]:
    """Look one batch up and return its plans (the keys of earlier batches are known)."""
    options, key = run.options, run.key
    earlier = keys_of_earlier_batches(run.seen, key, prepared)
    values = list(
        dict.fromkeys(
            p.key
            for p in prepared
            if p.desired and p.key and normalise_key_value(key, p.key) not in earlier
        )
    )
    found = (
        await lookup_in_chunks(
            client,
            key,
            values,
            run.fields,
            chunk_size=options.lookup_chunk_size,
            limiter=run.lookups,
        )
        if values
        else {}
    )
    return [
        unless_earlier(p, key, earlier)
        for p in plan_rows(key, prepared, found, rules=options.rules)
    ]


async def _start_batch(
    run: _Batches,
    plans: list[RowPlan],
    before: asyncio.Task[None] | None,
    writing: list[asyncio.Task[None]],
) -> None:
    """Start writing one batch (its task joins ``writing``); return once its rows are taken.

    The next batch's rows then go out while this one's last rows are in flight (waiting for
    them idled the budget one round trip per batch: 0.2 s at 200 ms). Both share the
    limiters, so together they stay within ``max_concurrency``; results still reach the sink
    batch by batch, in order (``before`` first).

    :param run: the run.
    :param plans: the batch's plans.
    :param before: the earlier batch's writes, if still running.
    :param writing: the run's batch tasks, cancelled if the run ends early.
    """
    taken = asyncio.Event()
    task = asyncio.ensure_future(_write_batch(run, plans, before, taken.set))
    writing.append(task)
    waiter = asyncio.ensure_future(taken.wait())
    try:
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        waiter.cancel()
    if task.done():
        task.result()  # a failure ends the run now


async def _write_batch(
    run: _Batches,
    plans: list[RowPlan],
    before: asyncio.Task[None] | None,
    on_drained: Callable[[], None],
) -> None:
    """Write one batch's plans on the pools; its results go to the run's sink after ``before``."""
    options = run.options
    results = unwritten(plans, options.dry_run)
    run.progress.advance(len(results))
    to_write = [] if options.dry_run else [p for p in plans if p.action in ("create", "update")]
    lanes: list[Lane[RowPlan, RowResult | PendingCreate]] = [
        (c, limiter, partial(apply_plan, c, options=options))
        for c, limiter in zip(run.clients, run.limiters, strict=True)
    ]
    skip = None if (stop := options.stop) is None else lambda p: stop.result_for(p.index, p.key)
    writes = asyncio.ensure_future(
        run_writes(
            lanes,
            run.progress,
            to_write,
            rate_limited=run.rate_limited,
            skip=skip,
            on_drained=on_drained,
        )
    )
    try:
        if before is not None:
            await before  # its results go first; its failure ends this batch's writes too
        written = await writes
    finally:
        if not writes.done():
            writes.cancel()
            await asyncio.gather(writes, return_exceptions=True)
    run.pending += [w for w in written if isinstance(w, PendingCreate)]
    run.sink([*results, *(w for w in written if not isinstance(w, PendingCreate))])


async def _settle_earlier_try(options: UpsertOptions) -> None:
    """On a retry, wait until a search could see the leads an earlier try created."""
    if options.lost_before is None or options.dry_run:
        return
    trust_at = trusted_after("search", options.lost_before, options.settle_seconds)
    wait = (trust_at - options.clock.now()).total_seconds()
    if wait > 0:
        await options.clock.asleep(wait)


async def _resolve(
    client: AsyncCloseClient,
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
