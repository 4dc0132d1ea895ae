"""The bulk upsert of objects that belong to a lead: contacts and opportunities.

The lead upsert's pieces, driven by a :class:`ChildKind` (how the kind is matched, planned
and sent), a batch at a time as in the lead upsert (``bulk/batches.py``: rows read lazily,
keys of earlier batches on disk, results to a sink per batch): rows are mapped and checked
(``plan.prepare_kind_rows``), their leads looked up by the lead key once per run
(``bulk/parent_leads.py``: search, then a cache on disk), the existing objects found by the
kind's ``find``, every row planned by ``plan.plan_rows`` with the kind's planner and the
sync mode, and the writes run on the same worker pool (``engine.run_writes``) through
``writes.apply_plan``. A lost create is looked for at once in its lead's list
(``idempotency/children.py``). When the kind may create leads (contacts), rows whose lead
is missing get it from the lead upsert itself in ``create_only`` mode, once per lead key
(its lost creates resolved as in every lead upsert: ``bulk/pending.py``); otherwise
(opportunities) such a row is ``invalid`` with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from airflow_provider_close.bulk.batches import (
    batched_rows,
    keys_of_earlier_batches,
    unless_earlier,
)
from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.engine import ResultSink, UpsertOptions, _settle_earlier_try
from airflow_provider_close.bulk.parent_leads import (
    BatchLeads,
    LeadCache,
    ParentLeads,
    create_missing_leads,
    leads_of,
)
from airflow_provider_close.bulk.plan import (
    MakeDesired,
    Normalise,
    ObjectPlanner,
    PreparedRow,
    RowPlan,
    plan_rows,
    prepare_kind_rows,
)
from airflow_provider_close.bulk.progress import Progress
from airflow_provider_close.bulk.results import RowResult
from airflow_provider_close.bulk.runs import UpsertRun, finished_run, run_writes
from airflow_provider_close.bulk.seen_keys import SeenKeys
from airflow_provider_close.bulk.writes import apply_plan, row_result, unwritten
from airflow_provider_close.idempotency.children import find_child_by_key

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

__all__ = ["ChildKind", "FindChildren", "ParentLeads", "upsert_children"]

#: Finds the existing objects of the prepared rows: key value -> objects holding it.
FindChildren = Callable[
    ["AsyncCloseClient", Sequence[PreparedRow], Mapping[str, str], AdaptiveLimiter],
    Awaitable[dict[str, list[dict[str, Any]]]],
]


@dataclass(frozen=True)
class ChildKind:
    """How one object kind under a lead is upserted.

    :param planner: create bodies (without ``lead_id``) and changes.
    :param path: ``contact/`` or ``opportunity/``.
    :param key_column: the row column holding the match key.
    :param normalise: the comparable form of a key value.
    :param make: maps a row to what it wants.
    :param find: looks the existing objects up (given lead key -> lead id).
    :param holds_key: whether an object holds a key value (finding a lost create).
    :param key_fields: the fields ``holds_key`` reads.
    :param creates_leads: create a missing lead (contacts) or report the row (opportunities).
    """

    planner: ObjectPlanner
    path: str
    key_column: str
    normalise: Normalise
    make: MakeDesired
    find: FindChildren
    holds_key: Callable[[Mapping[str, Any], str], bool]
    key_fields: Sequence[str]
    creates_leads: bool


async def _attach_leads(
    client: AsyncCloseClient,
    rows: Mapping[int, Mapping[str, Any]],
    plans: list[RowPlan],
    *,
    kind: ChildKind,
    parent: ParentLeads,
    found: BatchLeads,
    run: _Run,
) -> tuple[list[RowPlan], list[RowResult]]:
    """Give every ``create`` plan its lead; return the plans left and the rows refused."""
    options, norm = run.options, parent.normalise
    ids, problems = found.ids, found.problems
    creates = [p for p in plans if p.action == "create"]
    missing = [p for p in creates if p.parent_key and norm(p.parent_key) not in ids]
    missing = [p for p in missing if norm(str(p.parent_key)) not in problems]
    if missing and kind.creates_leads and not options.dry_run:
        made = await create_missing_leads(
            client, rows, missing, parent, options=options, cache=run.leads
        )
        ids.update(made.ids)
        problems.update(made.problems)
    kept: list[RowPlan] = []
    refused: list[RowResult] = []
    for plan in plans:
        lead = norm(plan.parent_key) if plan.parent_key else None
        if plan.action != "create":
            kept.append(plan)
        elif lead is None:
            reason = f"lead key column {parent.column!r} is empty"
            refused.append(row_result(plan, "invalid", None, reason))
        elif lead in ids:
            plan.parent_id = ids[lead]
            kept.append(plan)
        elif options.dry_run and kind.creates_leads and lead not in problems:
            kept.append(plan)  # would create its lead too
        elif lead in problems:
            action, reason = problems[lead]
            refused.append(row_result(plan, action, None, reason))
        else:
            reason = f"no lead in Close holds lead key {plan.parent_key!r}"
            refused.append(row_result(plan, "invalid", None, reason))
    return kept, refused


async def _recover(
    kind: ChildKind, client: AsyncCloseClient, plan: RowPlan
) -> dict[str, Any] | None:
    key = str(plan.key)

    def holds(obj: Mapping[str, Any]) -> bool:
        return kind.holds_key(obj, key)

    return await find_child_by_key(client, kind.path, str(plan.parent_id), holds, kind.key_fields)


@dataclass
class _Run:
    """What a child run keeps between batches: bounded by the batch (keys and leads on disk)."""

    options: UpsertOptions
    sink: ResultSink
    progress: Progress
    limiter: AdaptiveLimiter
    seen: SeenKeys
    leads: LeadCache
    rate_limited: Callable[[], int]


async def upsert_children(
    client: AsyncCloseClient,
    rows: Iterable[Mapping[str, Any]],
    kind: ChildKind,
    parent: ParentLeads,
    *,
    options: UpsertOptions,
    sink: ResultSink | None = None,
) -> UpsertRun:
    """Upsert ``rows`` as objects of ``kind``, a batch at a time; one result per row.

    Each batch of ``options.batch_size`` rows is mapped, its leads found (each lead key
    searched once per run: ``bulk/parent_leads.py``), its objects found, planned and written,
    and its results go to ``sink`` before the next batch is read. A key already held by a
    row of an earlier batch makes the later row ``duplicate_key`` (as in the lead upsert).
    Never raises for a row.

    :param client: an ``AsyncCloseClient``.
    :param rows: the input rows (any iterable: read lazily, ``batch_size`` at a time).
    :param kind: contacts or opportunities (``bulk/contact_kind.py``, ``opportunity_kind.py``).
    :param parent: how a row names its lead.
    :param options: tuning, the sync mode and the fields filled only when empty.
    :param sink: receives each batch of results (e.g. ``ResultFile.add``); without one they
        are collected into :attr:`UpsertRun.results`.
    """
    collected: list[RowResult] = []
    total = len(rows) if isinstance(rows, Sized) else None
    progress = Progress(total=total, interval=options.progress_interval)
    progress.start()
    rate_limited_before = client.stats.rate_limited
    run = _Run(
        options,
        sink or collected.extend,
        progress,
        AdaptiveLimiter(options.max_concurrency),
        SeenKeys(),
        LeadCache(),
        lambda: client.stats.rate_limited - rate_limited_before,
    )
    await _settle_earlier_try(options)
    try:
        for start, batch in batched_rows(rows, size=options.batch_size):
            prepared = prepare_kind_rows(batch, kind.make, kind.key_column, parent.column)
            for offset, row in zip(start, prepared, strict=True):
                row.index = offset
            if (stop := options.stop) is not None and stop.requested:  # one-way: read no more
                run.sink(stop.unread_batch([(p.index, p.key) for p in prepared]))
                break
            by_index = dict(zip(start, batch, strict=True))
            await _upsert_batch(client, run, (kind, parent), by_index, prepared)
    finally:
        run.seen.close()
        run.leads.close()
    progress.rate_limited = run.rate_limited()
    return finished_run(collected, progress, run.limiter)


async def _upsert_batch(
    client: AsyncCloseClient,
    run: _Run,
    what: tuple[ChildKind, ParentLeads],
    rows: Mapping[int, Mapping[str, Any]],
    prepared: list[PreparedRow],
) -> None:
    """Find the leads and objects of one batch, plan and write it; results to the sink.

    :param what: the kind, and how a row names its lead.
    :param rows: the batch's input rows by index (a missing lead is made from its first row).
    :param prepared: the batch's prepared rows.
    """
    options, (kind, parent) = run.options, what
    earlier = keys_of_earlier_batches(run.seen, kind.normalise, prepared)
    leads = await leads_of(client, parent, prepared, options, run.leads)
    by_value = {
        str(p.parent_key): leads.ids[parent.normalise(p.parent_key)]
        for p in prepared
        if p.parent_key and parent.normalise(p.parent_key) in leads.ids
    }
    fresh = [p for p in prepared if not (p.key and kind.normalise(p.key) in earlier)]
    found = await kind.find(client, fresh, by_value, run.limiter)
    plans = [
        unless_earlier(p, kind.normalise, earlier)
        for p in plan_rows(
            kind.normalise, prepared, found, planner=kind.planner, rules=options.rules
        )
    ]
    plans, refused = await _attach_leads(
        client, rows, plans, kind=kind, parent=parent, found=leads, run=run
    )
    results = [*refused, *unwritten(plans, options.dry_run)]
    run.progress.advance(len(results))
    to_write = [] if options.dry_run else [p for p in plans if p.action in ("create", "update")]

    async def write(plan: RowPlan) -> RowResult:
        result = await apply_plan(
            client, plan, options, path=kind.path, recover=partial(_recover, kind)
        )
        if not isinstance(result, dict):
            raise TypeError("a create under a known lead is never left pending")
        return result

    written = await run_writes(
        [(client, run.limiter, write)],
        run.progress,
        to_write,
        rate_limited=run.rate_limited,
        group=("POST", kind.path),
        skip=None if (stop := options.stop) is None else lambda p: stop.result_for(p.index, p.key),
    )
    run.sink([*results, *written])
