"""Opportunities as a bulk upsert kind: mapping, matching by a custom field, plan bodies.

An opportunity mapping names the columns of its fields and custom fields::

    {"status": "stage", "value": "amount", "value_period": "period", "confidence": "pct",
     "note": "summary", "date_won": "closed_on", "custom": {"Deal ID": "deal_id"}}

``status`` is a label or ``stat_`` id (resolved once per run, ``lookups/statuses.py``);
``value`` is read in the operator's ``value_unit`` (``units`` or ``cents``, no default,
as in ``CloseCreateOpportunityOperator``) and compared in cents. The match key is an
opportunity custom field (an external id). Opportunities are not in Advanced Filtering's
index (it searches leads and contacts, close-api.md §8), and ``GET /opportunity/`` has no
custom-field filter but does filter by ``lead_id`` and is consistent at once (§6.9, §9b):
so the row's lead is found by its key (search), then its opportunities are listed (one
immediate list per lead) and matched exactly on the key. An opportunity that moved to
another lead is not found under the row's lead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from airflow_provider_close.bulk.child_engine import ChildKind
from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.diff import kept_by_fill_only, same_value
from airflow_provider_close.bulk.mapping import (
    DesiredLead,
    MappingError,
    custom_mapping,
    row_custom,
    row_fields,
)
from airflow_provider_close.bulk.plan import CustomCheck, PreparedRow
from airflow_provider_close.bulk.pool import run_pool
from airflow_provider_close.client.payloads.money import value_in_cents
from airflow_provider_close.client.payloads.opportunity import build_opportunity_update

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

__all__ = [
    "OPPORTUNITY_FIELDS",
    "OPPORTUNITY_PLANNER",
    "OpportunityMapping",
    "opportunity_kind",
    "parse_opportunity_mapping",
]

#: Mapping field -> (field read back from Close, ``build_opportunity_update`` keyword).
_SOURCES: Final = {
    "status": ("status_id", "status_id"),
    "value": ("value", "value"),
    "value_period": ("value_period", "value_period"),
    "confidence": ("confidence", "confidence"),
    "note": ("note", "note"),
    "date_won": ("date_won", "date_won"),
    "user_id": ("user_id", "user_id"),
}
OPPORTUNITY_FIELDS: Final = tuple(_SOURCES)
_MAX_PER_LEAD: Final = 10_000


@dataclass(frozen=True)
class OpportunityMapping:
    """A validated opportunity mapping: field -> column, custom field name -> column."""

    fields: Mapping[str, str]
    custom: Mapping[str, str]


def parse_opportunity_mapping(raw: Mapping[str, Any]) -> OpportunityMapping:
    """Return the checked mapping, or raise :class:`MappingError` naming the allowed fields.

    :param raw: opportunity field -> column, plus ``custom``.
    """
    if not isinstance(raw, Mapping) or not raw:
        raise MappingError("the opportunity mapping must be a non-empty dict")
    unknown = sorted(set(raw) - {*OPPORTUNITY_FIELDS, "custom"})
    if unknown:
        allowed = ", ".join((*OPPORTUNITY_FIELDS, "custom"))
        raise MappingError(f"unknown opportunity field(s) {unknown}; allowed: {allowed}")
    fields = {k: v for k, v in raw.items() if k != "custom"}
    for name, column in fields.items():
        if not isinstance(column, str) or not column:
            raise MappingError(f"mapping.{name} must name a column (a non-empty string)")
    return OpportunityMapping(fields, custom_mapping(raw.get("custom", {})))


def _body(fields: Mapping[str, Any], custom: Mapping[str, Any]) -> dict[str, object]:
    keywords = {_SOURCES[f][1]: v for f, v in fields.items()}
    if "value" in keywords:
        keywords["value_unit"] = "cents"  # converted when the row was read
    return build_opportunity_update(**keywords, custom=dict(custom) or None, allow_empty=True)


@dataclass(frozen=True)
class _OpportunityPlanner:
    noun: str = "opportunity"

    def create(self, desired: DesiredLead) -> dict[str, object]:
        return _body(desired.fields, desired.custom)

    def changes(
        self, desired: DesiredLead, current: Mapping[str, Any], fill_only: frozenset[str]
    ) -> tuple[dict[str, object] | None, list[dict[str, object]]]:
        def differs(key: str, wanted: object, held: object) -> bool:
            return not same_value(wanted, held) and not kept_by_fill_only(key, held, fill_only)

        fields = {
            f: v for f, v in desired.fields.items() if differs(f, v, current.get(_SOURCES[f][0]))
        }
        custom = {k: v for k, v in desired.custom.items() if differs(k, v, current.get(k))}
        return (_body(fields, custom) if fields or custom else None), []


#: Opportunities: ``POST /opportunity/`` bodies (``lead_id`` added once known), patches.
OPPORTUNITY_PLANNER = _OpportunityPlanner()


def _holds(key_field: str, opportunity: Mapping[str, Any], value: str) -> bool:
    held = opportunity.get(key_field)
    items = held if isinstance(held, list) else [held]
    return any(item is not None and str(item).strip() == value.strip() for item in items)


async def _list_lead(
    client: AsyncCloseClient, fields: Sequence[str], lead_id: str
) -> list[dict[str, Any]]:
    items = client.iter_items(
        "opportunity/", {"lead_id": lead_id}, max_items=_MAX_PER_LEAD, fields=list(fields)
    )
    return [item async for item in items]


@dataclass(frozen=True)
class _Finder:
    key_field: str
    fields: Sequence[str]

    async def __call__(
        self,
        client: AsyncCloseClient,
        prepared: Sequence[PreparedRow],
        lead_ids: Mapping[str, str],
        limiter: AdaptiveLimiter,
    ) -> dict[str, list[dict[str, Any]]]:
        """Return each row's key -> the opportunities of the row's lead holding it."""
        rows = [p for p in prepared if p.desired and p.key and p.parent_key in lead_ids]
        leads = list(dict.fromkeys(lead_ids[str(p.parent_key)] for p in rows))
        listed = await run_pool(
            client,
            limiter,
            leads,
            partial(_list_lead, client, self.fields),
            group=("GET", "opportunity/"),
        )
        by_lead = dict(zip(leads, listed, strict=True))
        return {
            str(p.key): [
                o
                for o in by_lead[lead_ids[str(p.parent_key)]]
                if _holds(self.key_field, o, str(p.key))
            ]
            for p in rows
        }


def opportunity_kind(
    mapping: OpportunityMapping,
    key_field: str,
    custom_keys: Mapping[str, str],
    *,
    value_unit: str | None,
    status_id_for: Callable[[str], str],
    check: CustomCheck | None = None,
) -> ChildKind:
    """Return opportunities as a :class:`ChildKind` for ``child_engine.upsert_children``.

    :param mapping: the opportunity mapping.
    :param key_field: the match key's ``custom.cf_…`` key (an opportunity custom field).
    :param custom_keys: opportunity custom field name -> ``custom.cf_…`` key.
    :param value_unit: ``units`` or ``cents``: how ``value`` cells are read.
    :param status_id_for: a status label or id -> ``stat_`` id (raises ``ClosePayloadError``).
    :param check: checks each custom value against its field (a failing row is invalid).
    """
    columns = [c for name, c in mapping.custom.items() if custom_keys.get(name) == key_field]
    if not columns:
        raise MappingError(f"the match key ({key_field}) is not mapped in mapping.custom")
    if "value" in mapping.fields and value_unit is None:
        raise MappingError("value_unit ('units' or 'cents') is required when value is mapped")
    fields = list(dict.fromkeys(["id", "lead_id", *(s[0] for s in _SOURCES.values()), key_field]))
    fields += [k for k in custom_keys.values() if k not in fields]

    def make(row: Mapping[str, Any]) -> DesiredLead:
        values = row_fields(mapping.fields, row)
        if "value" in values:
            values["value"] = value_in_cents("opportunity", values["value"], value_unit)
        if "status" in values:
            values["status"] = status_id_for(str(values["status"]))
        custom = row_custom(mapping.custom, row, custom_keys)
        if check is not None:
            custom = {k: check(k, v) for k, v in custom.items()}
        _body(values, custom)  # a row Close would refuse is invalid before any write
        return DesiredLead(values, custom, [])

    return ChildKind(
        planner=OPPORTUNITY_PLANNER,
        path="opportunity/",
        key_column=columns[0],
        normalise=str.strip,
        make=make,
        find=_Finder(key_field, fields),
        holds_key=partial(_holds, key_field),
        key_fields=fields,
        creates_leads=False,
    )
