"""Decide, per input row, what the upsert does: create, update, nothing, or report it.

Pure: fed the rows, the mapping and the leads a lookup found, it returns one
:class:`RowPlan` per row, in input order. Nothing here talks to Close.

* a row whose mapped columns are missing, whose key is blank, or whose payload fails the
  client's validators is ``invalid`` (with the reason);
* rows sharing a key (emails compared case-insensitively) are all ``duplicate_key``: none
  is written, since nothing says which one is right; the same when Close already holds
  several leads with that key;
* otherwise: no lead -> ``create``; a lead with differing fields or missing contacts ->
  ``update``; else ``unchanged``;
* the sync mode (``bulk/modes.py``) turns a ``create`` of ``update_only`` and an
  ``update``/``unchanged`` of ``create_only`` into ``skipped`` (with the reason); fields
  filled only when empty are left out of patches once Close holds a value.

The object kind is an :class:`ObjectPlanner` (create body, changes): leads here
(:data:`LEAD_PLANNER`), contacts and opportunities in ``bulk/contact_kind.py`` and
``bulk/opportunity_kind.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from airflow_provider_close.bulk.diff import create_payload, lead_patch, missing_contact_payloads
from airflow_provider_close.bulk.mapping import DesiredLead, LeadMapping, MappingError, desired_lead
from airflow_provider_close.bulk.modes import DEFAULT_RULES, PlanRules
from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.lookups.leads import LeadMatchKey, normalise_key_value

__all__ = [
    "LEAD_PLANNER",
    "ObjectPlanner",
    "PlannedAction",
    "PreparedRow",
    "RowPlan",
    "duplicated_keys",
    "key_column",
    "plan_rows",
    "prepare_kind_rows",
    "prepare_rows",
]

PlannedAction = Literal["create", "update", "unchanged", "skipped", "duplicate_key", "invalid"]


@dataclass
class PreparedRow:
    """One input row, mapped.

    :param index: position in the input (0-based).
    :param key: the match key value (``None`` when invalid before a key was read).
    :param desired: what the row wants, or ``None`` when the row is invalid.
    :param reason: why the row is invalid.
    :param parent_key: for contacts and opportunities, the row's lead key value.
    """

    index: int
    key: str | None
    desired: DesiredLead | None
    reason: str | None = None
    parent_key: str | None = None


@dataclass
class RowPlan:
    """What to do with one row.

    :param index: position in the input.
    :param key: the match key value.
    :param action: the planned action.
    :param lead_id: the matched object's id (a lead, contact or opportunity), for updates,
        unchanged and skipped rows.
    :param create: the ``POST`` body (for contacts and opportunities without ``lead_id``,
        added once the lead is known).
    :param patch: the ``PUT`` body (``None`` when only a lead's contacts are missing).
    :param new_contacts: ``POST /contact/`` bodies for contacts the lead lacks.
    :param reason: why the row is invalid, a duplicate or skipped.
    :param parent_key: for contacts and opportunities, the row's lead key value.
    :param parent_id: for contacts and opportunities to create, their lead.
    """

    index: int
    key: str | None
    action: PlannedAction
    lead_id: str | None = None
    create: dict[str, object] | None = None
    patch: dict[str, object] | None = None
    new_contacts: list[dict[str, object]] = field(default_factory=list)
    reason: str | None = None
    parent_key: str | None = None
    parent_id: str | None = None


class ObjectPlanner(Protocol):
    """How one object kind is planned: its name, create body and changes."""

    @property
    def noun(self) -> str:
        """The object's name in reasons (``lead``, ``contact``, ``opportunity``)."""
        ...

    def create(self, desired: DesiredLead) -> dict[str, object]:
        """Return the checked create body (raises ``ClosePayloadError``)."""
        ...

    def changes(
        self, desired: DesiredLead, current: Mapping[str, Any], fill_only: frozenset[str]
    ) -> tuple[dict[str, object] | None, list[dict[str, object]]]:
        """Return the checked ``PUT`` body (or ``None``) and extra create bodies (contacts)."""
        ...


@dataclass(frozen=True)
class _LeadPlanner:
    noun: str = "lead"

    def create(self, desired: DesiredLead) -> dict[str, object]:
        return create_payload(desired)

    def changes(
        self, desired: DesiredLead, current: Mapping[str, Any], fill_only: frozenset[str]
    ) -> tuple[dict[str, object] | None, list[dict[str, object]]]:
        return lead_patch(desired, current, fill_only), missing_contact_payloads(desired, current)


#: Leads: ``POST /lead/`` bodies, lead patches, and the contacts a lead lacks.
LEAD_PLANNER: ObjectPlanner = _LeadPlanner()


def key_column(mapping: LeadMapping, key: LeadMatchKey, custom_keys: Mapping[str, str]) -> str:
    """Return the row column holding the match key, or raise :class:`MappingError`.

    :param mapping: the validated mapping.
    :param key: the match key.
    :param custom_keys: custom field name (as in the mapping) -> ``custom.cf_...`` key.
    """
    if key.kind == "name" and "name" in mapping.fields:
        return mapping.fields["name"]
    if key.kind == "contact_email":
        for contact in mapping.contacts:
            if contact.lists.get("emails"):
                return contact.lists["emails"][0]
    if key.kind == "custom_field":
        for name, column in mapping.custom.items():
            if custom_keys.get(name) == key.lead_field:
                return column
    raise MappingError(f"the match key ({key.kind} {key.custom_field_id or ''}) is not mapped")


#: Checks one custom value by its ``custom.cf_...`` key (``CustomFieldResolver.checked_value``).
CustomCheck = Callable[[str, object], object]


def _checked_custom(desired: DesiredLead, check: CustomCheck | None) -> DesiredLead:
    """Return ``desired`` with its custom values checked (raises ``ClosePayloadError``)."""
    if check is not None:
        desired.custom = {key: check(key, value) for key, value in desired.custom.items()}
    return desired


#: Maps one row to what it wants (``KeyError``: a missing column; ``ClosePayloadError``).
MakeDesired = Callable[[Mapping[str, Any]], DesiredLead]


def _cell_text(row: Mapping[str, Any], column: str | None) -> str | None:
    raw = row.get(column) if column is not None else None
    return None if raw is None else str(raw).strip() or None


def _prepared(
    index: int, row: Mapping[str, Any], make: MakeDesired, column: str, parent_column: str | None
) -> PreparedRow:
    if not isinstance(row, Mapping):
        return PreparedRow(index, None, None, f"row is not a dict but {type(row).__name__}")
    key, parent_key = _cell_text(row, column), _cell_text(row, parent_column)
    try:
        desired = make(row)
    except KeyError as missing:
        return PreparedRow(index, key, None, f"missing column {missing.args[0]!r}", parent_key)
    except ClosePayloadError as error:
        return PreparedRow(index, key, None, str(error), parent_key)
    if not key:
        return PreparedRow(index, None, None, f"match key column {column!r} is empty")
    return PreparedRow(index, key, desired, parent_key=parent_key)


def prepare_kind_rows(
    rows: Sequence[Mapping[str, Any]],
    make: MakeDesired,
    column: str,
    parent_column: str | None = None,
) -> list[PreparedRow]:
    """Return every row mapped by ``make`` (or marked invalid), in input order.

    :param rows: the input rows.
    :param make: maps a row to what it wants.
    :param column: the row column holding the match key.
    :param parent_column: for contacts and opportunities, the column of the lead key.
    """
    return [_prepared(i, row, make, column, parent_column) for i, row in enumerate(rows)]


def prepare_rows(
    rows: Sequence[Mapping[str, Any]],
    mapping: LeadMapping,
    column: str,
    custom_keys: Mapping[str, str],
    check: CustomCheck | None = None,
) -> list[PreparedRow]:
    """Return every row mapped to a lead (or marked invalid), in input order.

    :param rows: the input rows.
    :param mapping: the validated mapping.
    :param column: the row column holding the match key (:func:`key_column`).
    :param custom_keys: custom field name (as in the mapping) -> ``custom.cf_...`` key.
    :param check: checks each custom value against its field's type (a failing row is
        reported invalid with the reason).
    """

    def make(row: Mapping[str, Any]) -> DesiredLead:
        return _checked_custom(desired_lead(mapping, row, custom_keys), check)

    return prepare_kind_rows(rows, make, column)


#: Turns a key value into its comparable form (emails: trimmed, lower-cased).
Normalise = Callable[[str], str]


def _normaliser(key: LeadMatchKey | Normalise) -> Normalise:
    if isinstance(key, LeadMatchKey):
        return lambda value: normalise_key_value(key, value)
    return key


def duplicated_keys(key: LeadMatchKey | Normalise, prepared: Sequence[PreparedRow]) -> set[str]:
    """Return the normalised keys held by more than one valid row.

    :param key: the lead match key (emails compare case-insensitively), or a normaliser.
    :param prepared: the prepared rows.
    """
    normalise = _normaliser(key)
    counts = Counter(normalise(p.key) for p in prepared if p.desired and p.key)
    return {k for k, n in counts.items() if n > 1}


def _plan_existing(
    row: PreparedRow,
    desired: DesiredLead,
    current: Mapping[str, Any],
    planner: ObjectPlanner,
    rules: PlanRules,
) -> RowPlan:
    object_id = str(current["id"])
    if rules.mode == "create_only":
        reason = f"the {planner.noun} exists in Close (mode create_only)"
        return RowPlan(row.index, row.key, "skipped", object_id, reason=reason)
    patch, extra = planner.changes(desired, current, rules.fill_only)
    action: PlannedAction = "update" if patch or extra else "unchanged"
    return RowPlan(row.index, row.key, action, object_id, None, patch, extra)


def _plan_one(
    row: PreparedRow,
    existing: list[dict[str, Any]],
    duplicated: bool,
    planner: ObjectPlanner,
    rules: PlanRules,
) -> RowPlan:
    if row.desired is None:
        return RowPlan(row.index, row.key, "invalid", reason=row.reason)
    if duplicated:
        return RowPlan(row.index, row.key, "duplicate_key", reason="key repeated in the input")
    if len(existing) > 1:
        ids = ", ".join(sorted(str(found["id"]) for found in existing))
        reason = f"{len(existing)} {planner.noun}s in Close hold this key: {ids}"
        return RowPlan(row.index, row.key, "duplicate_key", reason=reason)
    try:
        if existing:
            return _plan_existing(row, row.desired, existing[0], planner, rules)
        if rules.mode == "update_only":
            reason = f"no {planner.noun} in Close holds this key (mode update_only)"
            return RowPlan(row.index, row.key, "skipped", reason=reason)
        return RowPlan(row.index, row.key, "create", create=planner.create(row.desired))
    except ClosePayloadError as error:
        return RowPlan(row.index, row.key, "invalid", reason=str(error))


def plan_rows(
    key: LeadMatchKey | Normalise,
    prepared: Sequence[PreparedRow],
    found: Mapping[str, list[dict[str, Any]]],
    *,
    planner: ObjectPlanner = LEAD_PLANNER,
    rules: PlanRules = DEFAULT_RULES,
) -> list[RowPlan]:
    """Return one plan per prepared row, in input order.

    :param key: the lead match key, or the kind's key normaliser.
    :param prepared: the prepared rows.
    :param found: key value -> objects holding it (e.g. from ``find_leads_by_key``).
    :param planner: the object kind (default: leads).
    :param rules: the sync mode and the fields filled only when empty.
    """
    normalise = _normaliser(key)
    duplicated = duplicated_keys(normalise, prepared)
    plans = []
    for row in prepared:
        existing = found.get(row.key, []) if row.key else []
        repeated = row.key is not None and normalise(row.key) in duplicated
        plan = _plan_one(row, existing, repeated, planner, rules)
        plan.parent_key = row.parent_key
        plans.append(plan)
    return plans
