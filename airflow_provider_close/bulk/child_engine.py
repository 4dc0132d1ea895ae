"""The bulk upsert of objects that belong to a lead: contacts and opportunities.

The lead upsert's pieces, driven by a :class:`ChildKind` (how the kind is matched, planned
and sent): rows are mapped and checked (``plan.prepare_kind_rows``), their leads looked up
by the lead key (search, ``engine.lookup_in_chunks``), the existing objects found by the
kind's ``find``, every row planned by ``plan.plan_rows`` with the kind's planner and the
sync mode, and the writes run on the same worker pool (``engine.run_writes``) through
``writes.apply_plan``. A lost create is looked for at once in its lead's list
(``idempotency/children.py``). When the kind may create leads (contacts), rows whose lead
is missing get it from the lead upsert itself in ``create_only`` mode, once per lead key
(its lost creates resolved as in every lead upsert: ``bulk/pending.py``); otherwise
(opportunities) such a row is ``invalid`` with the reason.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.engine import UpsertOptions, _settle_earlier_try, upsert_leads
from airflow_provider_close.bulk.mapping import LeadMapping
from airflow_provider_close.bulk.modes import PlanRules
from airflow_provider_close.bulk.plan import (
    CustomCheck,
    MakeDesired,
    Normalise,
    ObjectPlanner,
    PreparedRow,
    RowPlan,
    plan_rows,
    prepare_kind_rows,
)
from airflow_provider_close.bulk.ports import AsyncCloseAPI
from airflow_provider_close.bulk.progress import Progress
from airflow_provider_close.bulk.results import RowAction, RowResult
from airflow_provider_close.bulk.runs import UpsertRun, finished_run, lookup_in_chunks, run_writes
from airflow_provider_close.bulk.writes import WriteSettings, apply_plan, row_result, unwritten
from airflow_provider_close.idempotency.children import find_child_by_key
from airflow_provider_close.lookups.leads import LeadMatchKey, normalise_key_value

__all__ = ["ChildKind", "FindChildren", "ParentLeads", "upsert_children"]

#: Finds the existing objects of the prepared rows: key value -> objects holding it.
FindChildren = Callable[
    [AsyncCloseAPI, Sequence[PreparedRow], Mapping[str, str], AdaptiveLimiter],
    Awaitable[dict[str, list[dict[str, Any]]]],
]

#: Why rows naming a lead are not written: the action they get and the reason.
Refusal = tuple[RowAction, str]


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


@dataclass(frozen=True)
class ParentLeads:
    """How a row names its lead.

    :param key: the lead match key.
    :param column: the row column holding the lead's key value.
    :param mapping: the lead mapping used to create a missing lead (contacts only).
    :param custom_keys: the lead mapping's custom field name -> ``custom.cf_…`` key.
    :param check: checks a new lead's custom values against their fields.
    """

    key: LeadMatchKey
    column: str
    mapping: LeadMapping | None = None
    custom_keys: Mapping[str, str] | None = None
    check: CustomCheck | None = None


async def _lead_ids(
    client: AsyncCloseAPI,
    parent: ParentLeads,
    prepared: Sequence[PreparedRow],
    options: UpsertOptions,
) -> tuple[dict[str, str], dict[str, Refusal]]:
    """Return lead key -> lead id (exactly one lead holds it), and lead key -> why not."""
    values = list(dict.fromkeys(p.parent_key for p in prepared if p.desired and p.parent_key))
    found = await lookup_in_chunks(
        client,
        parent.key,
        values,
        [],
        chunk_size=options.lookup_chunk_size,
        limiter=AdaptiveLimiter(options.max_concurrency),
    )
    ids: dict[str, str] = {}
    problems: dict[str, Refusal] = {}
    for value, leads in found.items():
        if len(leads) == 1:
            ids[value] = str(leads[0]["id"])
        elif leads:
            held = ", ".join(sorted(str(lead["id"]) for lead in leads))
            reason = f"{len(leads)} leads in Close hold lead key {value!r}: {held}"
            problems[value] = ("duplicate_key", reason)
    return ids, problems


async def _create_missing_leads(
    client: AsyncCloseAPI,
    rows: Sequence[Mapping[str, Any]],
    plans: Sequence[RowPlan],
    parent: ParentLeads,
    options: UpsertOptions,
) -> tuple[dict[str, str], dict[str, Refusal]]:
    """Find-or-create the leads of ``plans`` with the lead upsert (``create_only``)."""
    if parent.mapping is None or parent.custom_keys is None:
        raise ValueError("creating leads needs the lead mapping")
    firsts: dict[str, Mapping[str, Any]] = {}
    for plan in plans:
        firsts.setdefault(str(plan.parent_key), rows[plan.index])
    lead_options = replace(options, rules=PlanRules("create_only"), lost_before=None)
    run = await upsert_leads(
        client,
        list(firsts.values()),
        parent.mapping,
        parent.key,
        parent.custom_keys,
        options=lead_options,
        check_custom=parent.check,
    )
    ids: dict[str, str] = {}
    problems: dict[str, Refusal] = {}
    for value, result in zip(firsts, run.results, strict=True):
        if result["action"] in ("created", "skipped") and result["close_id"]:
            ids[value] = str(result["close_id"])
        else:
            held_back = ("failed", "not_attempted", "unknown")  # not attempted: a stopped run
            action: RowAction = result["action"] if result["action"] in held_back else "invalid"
            problems[value] = (action, f"its lead was not written: {result['error']}")
    return ids, problems


async def _attach_leads(
    client: AsyncCloseAPI,
    rows: Sequence[Mapping[str, Any]],
    plans: list[RowPlan],
    *,
    kind: ChildKind,
    parent: ParentLeads,
    found: tuple[dict[str, str], dict[str, Refusal]],
    options: UpsertOptions,
) -> tuple[list[RowPlan], list[RowResult]]:
    """Give every ``create`` plan its lead; return the plans left and the rows refused."""
    norm = partial(normalise_key_value, parent.key)
    ids = {norm(k): v for k, v in found[0].items()}
    problems = {norm(k): v for k, v in found[1].items()}
    creates = [p for p in plans if p.action == "create"]
    missing = [p for p in creates if p.parent_key and norm(p.parent_key) not in ids]
    missing = [p for p in missing if norm(str(p.parent_key)) not in problems]
    if missing and kind.creates_leads and not options.dry_run:
        made, failed = await _create_missing_leads(client, rows, missing, parent, options)
        ids.update({norm(k): v for k, v in made.items()})
        problems.update({norm(k): v for k, v in failed.items()})
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


async def _recover(kind: ChildKind, client: AsyncCloseAPI, plan: RowPlan) -> dict[str, Any] | None:
    key = str(plan.key)

    def holds(obj: Mapping[str, Any]) -> bool:
        return kind.holds_key(obj, key)

    return await find_child_by_key(client, kind.path, str(plan.parent_id), holds, kind.key_fields)


async def upsert_children(
    client: AsyncCloseAPI,
    rows: Sequence[Mapping[str, Any]],
    kind: ChildKind,
    parent: ParentLeads,
    *,
    options: UpsertOptions,
) -> UpsertRun:
    """Upsert ``rows`` as objects of ``kind``; return one result per row (never raises for one).

    :param client: an ``AsyncCloseClient``.
    :param rows: the input rows.
    :param kind: contacts or opportunities (``bulk/contact_kind.py``, ``opportunity_kind.py``).
    :param parent: how a row names its lead.
    :param options: tuning, the sync mode and the fields filled only when empty.
    """
    progress = Progress(total=len(rows), interval=options.progress_interval)
    progress.start()
    rate_limited_before = client.stats.rate_limited
    limiter = AdaptiveLimiter(options.max_concurrency)
    prepared = prepare_kind_rows(rows, kind.make, kind.key_column, parent.column)
    await _settle_earlier_try(options)
    leads = await _lead_ids(client, parent, prepared, options)
    found = await kind.find(client, prepared, leads[0], limiter)
    plans = plan_rows(kind.normalise, prepared, found, planner=kind.planner, rules=options.rules)
    plans, refused = await _attach_leads(
        client, rows, plans, kind=kind, parent=parent, found=leads, options=options
    )
    results = [*refused, *unwritten(plans, options.dry_run)]
    progress.advance(len(results))
    settings = WriteSettings(
        None, options.write_attempts, options.clock, kind.path, partial(_recover, kind)
    )
    to_write = [] if options.dry_run else [p for p in plans if p.action in ("create", "update")]

    async def write(plan: RowPlan) -> RowResult:
        result = await apply_plan(client, plan, settings)
        if not isinstance(result, dict):
            raise TypeError("a create under a known lead is never left pending")
        return result

    written = await run_writes(
        [(client, limiter, write)],
        progress,
        to_write,
        rate_limited=lambda: client.stats.rate_limited - rate_limited_before,
        group=("POST", kind.path),
        skip=None if (stop := options.stop) is None else lambda p: stop.result_for(p.index, p.key),
    )
    return finished_run([*results, *written], progress, limiter)
