"""The leads of contact and opportunity rows: found by their key once per run, made if missing.

A child upsert (``bulk/child_engine.py``) reads its rows in batches; rows of many batches may
name the same lead. :class:`LeadCache` keeps what the run learnt of each lead key (its lead,
why it has none usable, or that a search found none) in a private temporary SQLite database,
so a lead is searched once per run, a lead this run created is known to later batches
(search trails writes, close-api.md §9b), and a million keys cost SQLite's page cache, not a
million Python objects.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.engine import UpsertOptions, upsert_leads
from airflow_provider_close.bulk.mapping import LeadMapping
from airflow_provider_close.bulk.modes import PlanRules
from airflow_provider_close.bulk.plan import CustomCheck, PreparedRow, RowPlan
from airflow_provider_close.bulk.results import RowAction
from airflow_provider_close.bulk.runs import lookup_in_chunks
from airflow_provider_close.bulk.seen_keys import rows_by_key
from airflow_provider_close.lookups.leads import LeadMatchKey, normalise_key_value

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

__all__ = ["BatchLeads", "LeadCache", "ParentLeads", "Refusal", "create_missing_leads", "leads_of"]

#: Why rows naming a lead are not written: the action they get and the reason.
Refusal = tuple[RowAction, str]


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

    def normalise(self, value: str) -> str:
        """Return the comparable form of a lead key value."""
        return normalise_key_value(self.key, value)


@dataclass
class BatchLeads:
    """What is known of one batch's lead keys (normalised): lead ids, and why not."""

    ids: dict[str, str]
    problems: dict[str, Refusal]


class LeadCache:
    """Normalised lead key -> its lead id, its refusal, or ``None`` (searched, none found)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute(
            "CREATE TABLE leads (key TEXT PRIMARY KEY, lead_id TEXT, action TEXT, reason TEXT)"
            " WITHOUT ROWID"
        )

    def known(self, keys: Sequence[str]) -> tuple[BatchLeads, set[str]]:
        """Return what the run knows of ``keys``, and the keys it has searched (found or not).

        :param keys: normalised lead keys.
        """
        query = "SELECT key, lead_id, action, reason FROM leads WHERE key IN ({marks})"
        known = BatchLeads({}, {})
        searched: set[str] = set()
        for key, lead_id, action, reason in rows_by_key(self._db, query, keys):
            searched.add(key)
            if lead_id is not None:
                known.ids[key] = lead_id
            elif action is not None:
                known.problems[key] = (action, reason)
        return known, searched

    def remember(self, learnt: BatchLeads, missing: Sequence[str] = ()) -> None:
        """Record lead ids, refusals and keys a search found no lead for (last word wins).

        :param learnt: lead ids and refusals by normalised key.
        :param missing: normalised keys no lead holds (yet).
        """
        rows: list[tuple[str, str | None, str | None, str | None]] = [
            *((k, v, None, None) for k, v in learnt.ids.items()),
            *((k, None, a, r) for k, (a, r) in learnt.problems.items()),
            *((k, None, None, None) for k in missing),
        ]
        self._db.executemany("INSERT OR REPLACE INTO leads VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        """Drop the database (its file goes with it)."""
        self._db.close()


async def leads_of(
    client: AsyncCloseClient,
    parent: ParentLeads,
    prepared: Sequence[PreparedRow],
    options: UpsertOptions,
    cache: LeadCache,
) -> BatchLeads:
    """Return the batch's lead ids and refusals; only keys the run never searched are searched.

    :param client: an ``AsyncCloseClient``.
    :param parent: how a row names its lead.
    :param prepared: the batch's prepared rows.
    :param options: the run's tuning (lookup chunk size, concurrency).
    :param cache: the run's lead cache (updated with what the search finds).
    """
    raw = {
        parent.normalise(p.parent_key): p.parent_key for p in prepared if p.desired and p.parent_key
    }
    known, searched = cache.known(list(raw))
    values = [value for norm, value in raw.items() if norm not in searched]
    found = (
        await lookup_in_chunks(
            client,
            parent.key,
            values,
            [],
            chunk_size=options.lookup_chunk_size,
            limiter=AdaptiveLimiter(options.max_concurrency),
        )
        if values
        else {}
    )
    learnt = BatchLeads({}, {})
    for value, leads in found.items():
        norm = parent.normalise(value)
        if len(leads) == 1:
            learnt.ids[norm] = str(leads[0]["id"])
        elif leads:
            held = ", ".join(sorted(str(lead["id"]) for lead in leads))
            reason = f"{len(leads)} leads in Close hold lead key {value!r}: {held}"
            learnt.problems[norm] = ("duplicate_key", reason)
    missing = [parent.normalise(v) for v in values]
    cache.remember(learnt, [m for m in missing if m not in learnt.ids and m not in learnt.problems])
    known.ids.update(learnt.ids)
    known.problems.update(learnt.problems)
    return known


async def create_missing_leads(
    client: AsyncCloseClient,
    rows: Mapping[int, Mapping[str, Any]],
    plans: Sequence[RowPlan],
    parent: ParentLeads,
    *,
    options: UpsertOptions,
    cache: LeadCache,
) -> BatchLeads:
    """Find-or-create the leads of ``plans`` with the lead upsert (``create_only``), once each.

    :param client: an ``AsyncCloseClient``.
    :param rows: the batch's input rows by their index in the input.
    :param plans: the creates whose lead no search found.
    :param parent: how a row names its lead (with the lead mapping).
    :param options: the run's tuning.
    :param cache: the run's lead cache (given the leads made, or why not).
    """
    if parent.mapping is None or parent.custom_keys is None:
        raise ValueError("creating leads needs the lead mapping")
    firsts: dict[str, Mapping[str, Any]] = {}
    for plan in plans:
        firsts.setdefault(parent.normalise(str(plan.parent_key)), rows[plan.index])
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
    made = BatchLeads({}, {})
    for norm, result in zip(firsts, run.results, strict=True):
        if result["action"] in ("created", "skipped") and result["close_id"]:
            made.ids[norm] = str(result["close_id"])
        else:
            held_back = ("failed", "not_attempted", "unknown")  # not attempted: a stopped run
            action: RowAction = result["action"] if result["action"] in held_back else "invalid"
            made.problems[norm] = (action, f"its lead was not written: {result['error']}")
    cache.remember(made)
    return made
