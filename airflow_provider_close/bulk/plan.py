"""Decide, per input row, what the upsert does: create, update, nothing, or report it.

Pure: fed the rows, the mapping and the leads a lookup found, it returns one
:class:`RowPlan` per row, in input order. Nothing here talks to Close.

* a row whose mapped columns are missing, whose key is blank, or whose payload fails the
  client's validators is ``invalid`` (with the reason);
* rows sharing a key (emails compared case-insensitively) are all ``duplicate_key``: none
  is written, since nothing says which one is right; the same when Close already holds
  several leads with that key;
* otherwise: no lead -> ``create``; a lead with differing fields or missing contacts ->
  ``update``; else ``unchanged``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from airflow_provider_close.bulk.diff import create_payload, lead_patch, missing_contact_payloads
from airflow_provider_close.bulk.mapping import DesiredLead, LeadMapping, MappingError, desired_lead
from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.lookups.leads import LeadMatchKey, normalise_key_value

__all__ = [
    "PlannedAction",
    "PreparedRow",
    "RowPlan",
    "duplicated_keys",
    "key_column",
    "plan_rows",
    "prepare_rows",
]

PlannedAction = Literal["create", "update", "unchanged", "duplicate_key", "invalid"]


@dataclass
class PreparedRow:
    """One input row, mapped.

    :param index: position in the input (0-based).
    :param key: the match key value (``None`` when invalid before a key was read).
    :param desired: what the row wants, or ``None`` when the row is invalid.
    :param reason: why the row is invalid.
    """

    index: int
    key: str | None
    desired: DesiredLead | None
    reason: str | None = None


@dataclass
class RowPlan:
    """What to do with one row.

    :param index: position in the input.
    :param key: the match key value.
    :param action: the planned action.
    :param lead_id: the existing lead, for updates and unchanged rows.
    :param create: the ``POST /lead/`` body.
    :param patch: the ``PUT /lead/{id}/`` body (``None`` when only contacts are missing).
    :param new_contacts: ``POST /contact/`` bodies for contacts the lead lacks.
    :param reason: why the row is invalid or a duplicate.
    """

    index: int
    key: str | None
    action: PlannedAction
    lead_id: str | None = None
    create: dict[str, object] | None = None
    patch: dict[str, object] | None = None
    new_contacts: list[dict[str, object]] = field(default_factory=list)
    reason: str | None = None


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


def _prepared(
    index: int,
    row: Mapping[str, Any],
    mapping: LeadMapping,
    column: str,
    custom_keys: Mapping[str, str],
    *,
    check: CustomCheck | None = None,
) -> PreparedRow:
    if not isinstance(row, Mapping):
        return PreparedRow(index, None, None, f"row is not a dict but {type(row).__name__}")
    raw_key = row.get(column)
    key = None if raw_key is None else str(raw_key).strip()
    try:
        desired = _checked_custom(desired_lead(mapping, row, custom_keys), check)
    except KeyError as missing:
        return PreparedRow(index, key, None, f"missing column {missing.args[0]!r}")
    except ClosePayloadError as error:
        return PreparedRow(index, key, None, str(error))
    if not key:
        return PreparedRow(index, None, None, f"match key column {column!r} is empty")
    return PreparedRow(index, key, desired)


def prepare_rows(
    rows: Sequence[Mapping[str, Any]],
    mapping: LeadMapping,
    column: str,
    custom_keys: Mapping[str, str],
    check: CustomCheck | None = None,
) -> list[PreparedRow]:
    """Return every row mapped (or marked invalid), in input order.

    :param rows: the input rows.
    :param mapping: the validated mapping.
    :param column: the row column holding the match key (:func:`key_column`).
    :param custom_keys: custom field name (as in the mapping) -> ``custom.cf_...`` key.
    :param check: checks each custom value against its field's type (a failing row is
        reported invalid with the reason).
    """
    return [
        _prepared(i, row, mapping, column, custom_keys, check=check) for i, row in enumerate(rows)
    ]


def duplicated_keys(key: LeadMatchKey, prepared: Sequence[PreparedRow]) -> set[str]:
    """Return the normalised keys held by more than one valid row.

    :param key: the match key (emails compare case-insensitively).
    :param prepared: the prepared rows.
    """
    counts = Counter(normalise_key_value(key, p.key) for p in prepared if p.desired and p.key)
    return {k for k, n in counts.items() if n > 1}


def _plan_existing(row: PreparedRow, desired: DesiredLead, lead: Mapping[str, Any]) -> RowPlan:
    patch = lead_patch(desired, lead)
    contacts = missing_contact_payloads(desired, lead)
    action: PlannedAction = "update" if patch or contacts else "unchanged"
    return RowPlan(row.index, row.key, action, str(lead["id"]), None, patch, contacts)


def _plan_one(row: PreparedRow, leads: list[dict[str, Any]], duplicated: bool) -> RowPlan:
    if row.desired is None:
        return RowPlan(row.index, row.key, "invalid", reason=row.reason)
    if duplicated:
        return RowPlan(row.index, row.key, "duplicate_key", reason="key repeated in the input")
    if len(leads) > 1:
        ids = ", ".join(sorted(str(lead["id"]) for lead in leads))
        reason = f"{len(leads)} leads in Close hold this key: {ids}"
        return RowPlan(row.index, row.key, "duplicate_key", reason=reason)
    try:
        if leads:
            return _plan_existing(row, row.desired, leads[0])
        return RowPlan(row.index, row.key, "create", create=create_payload(row.desired))
    except ClosePayloadError as error:
        return RowPlan(row.index, row.key, "invalid", reason=str(error))


def plan_rows(
    key: LeadMatchKey,
    prepared: Sequence[PreparedRow],
    found: Mapping[str, list[dict[str, Any]]],
) -> list[RowPlan]:
    """Return one plan per prepared row, in input order.

    :param key: the match key.
    :param prepared: the prepared rows.
    :param found: key value -> leads holding it (from ``find_leads_by_key``).
    """
    duplicated = duplicated_keys(key, prepared)
    return [
        _plan_one(
            row,
            found.get(row.key, []) if row.key else [],
            row.key is not None and normalise_key_value(key, row.key) in duplicated,
        )
        for row in prepared
    ]
