"""Opportunities: status/pipeline, value in cents, derived amounts, ``date_won`` (§6.9)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.checks import Problems, actor_fields
from airflow_provider_close.sandbox.models.custom_values import apply_custom_values
from airflow_provider_close.sandbox.models.leads import create_lead
from airflow_provider_close.sandbox.models.money import annualized, expected, format_cents
from airflow_provider_close.sandbox.models.status_changes import log_opportunity_status_change
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState
from airflow_provider_close.sandbox.timestamps import format_date, parse_date

__all__ = ["VALUE_PERIODS", "create_opportunity", "derived_fields", "update_opportunity"]

VALUE_PERIODS = ("one_time", "monthly", "annual")


def _whole(payload: Mapping[str, Any], name: str, problems: Problems, top: int | None) -> Any:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(name, "Enter a whole number.")
        return None
    if value < 0 or (top is not None and value > top):
        problems.add(name, f"Ensure this value is between 0 and {top}.")
        return None
    return value


def _default_status(state: SandboxState, pipeline_id: str | None) -> str:
    for status in state.opportunity_statuses.values():
        if pipeline_id is None or status["pipeline_id"] == pipeline_id:
            return str(status["id"])
    return str(next(iter(state.opportunity_statuses)))


def _apply_status(
    state: SandboxState, record: Record, payload: Mapping[str, Any], p: Problems
) -> None:
    pipeline_id = p.reference(payload, "pipeline_id", state.pipelines)
    status_id = p.reference(payload, "status_id", state.opportunity_statuses)
    if status_id is None and pipeline_id is not None and pipeline_id in state.pipelines:
        status_id = _default_status(state, pipeline_id)
    status = state.opportunity_statuses.get(status_id or "")
    if status is None:
        return
    pipeline = state.pipelines[status["pipeline_id"]]
    record |= {
        "status_id": status["id"],
        "status_label": status["label"],
        "status_display_name": status["label"],
        "status_type": status["type"],
        "pipeline_id": pipeline["id"],
        "pipeline_name": pipeline["name"],
    }
    today = format_date(state.now().date())
    if status["type"] in ("won", "lost") and not record.get(f"date_{status['type']}"):
        record[f"date_{status['type']}"] = today


def _apply_people(
    state: SandboxState, record: Record, payload: Mapping[str, Any], p: Problems
) -> None:
    if payload.get("user_id") is not None:
        user = state.users.get(p.reference(payload, "user_id", state.users) or "")
        if user:
            record |= {
                "user_id": user["id"],
                "user_name": f"{user['first_name']} {user['last_name']}",
            }
    if "contact_id" in payload:
        contact = state.contacts.get(p.reference(payload, "contact_id", state.contacts) or "")
        record |= {
            "contact_id": contact["id"] if contact else None,
            "contact_name": contact["name"] if contact else None,
        }


def derived_fields(record: Mapping[str, Any]) -> Record:
    """Return ``value_formatted``, ``expected_value`` and the annualized amounts.

    :param record: the opportunity with ``value``, ``value_period`` and ``confidence``.
    """
    value, confidence = record.get("value") or 0, record.get("confidence") or 0
    yearly = annualized(value, record.get("value_period") or "one_time")
    return {
        "value_formatted": format_cents(value),
        "expected_value": expected(value, confidence),
        "annualized_value": yearly,
        "annualized_expected_value": expected(yearly, confidence),
    }


def _apply(state: SandboxState, record: Record, payload: Mapping[str, Any], p: Problems) -> None:
    for name, top in (("value", None), ("confidence", 100)):
        number = _whole(payload, name, p, top)
        if number is not None:
            record[name] = number
    if payload.get("value_period") is not None:
        record["value_period"] = p.enum(payload, "value_period", VALUE_PERIODS)
    if "note" in payload and p.texts(payload, ("note",)):
        record["note"] = str(payload["note"] or "")
    if payload.get("date_won") is not None:
        won = parse_date(str(payload["date_won"]))
        if won is None:
            p.add("date_won", "Enter a valid date.")
        record["date_won"] = format_date(won) if won else None
    _apply_people(state, record, payload, p)
    _apply_status(state, record, payload, p)
    apply_custom_values(record, payload, state.custom_fields["opportunity"], state.users, p)
    record.update(derived_fields(record))


def _new_record(state: SandboxState) -> Record:
    me = state.me
    return {
        "id": state.new_id("oppo"),
        "lead_id": None,
        "lead_name": None,
        "value": 0,
        "value_period": "one_time",
        "value_currency": "USD",
        "confidence": 0,
        "date_won": None,
        "date_lost": None,
        "note": "",
        "contact_id": None,
        "contact_name": None,
        "user_id": me["id"],
        "user_name": f"{me['first_name']} {me['last_name']}",
        "integration_links": [],
        "organization_id": state.organization_id,
        **actor_fields(me, state.timestamp(), created=True),
    }


def create_opportunity(
    state: SandboxState, payload: Mapping[str, Any], meta: RequestMeta
) -> Record:
    """Validate and store a new opportunity (no ``lead_id`` -> a new "Untitled" lead).

    :param state: the sandbox state.
    :param payload: the POST body.
    :param meta: the request, for the event log.
    :raises ValidationFailed: invalid values or unknown references.
    """
    problems = Problems()
    with state.lock:
        record = _new_record(state)
        lead_id = problems.reference(payload, "lead_id", state.leads)
        _apply(state, record, payload, problems)
        if "status_id" not in record:
            _apply_status(state, record, {"status_id": _default_status(state, None)}, problems)
        problems.raise_if_any()
        if lead_id is None:
            lead_id = create_lead(state, {"name": "Untitled"}, meta)["id"]
        record |= {"lead_id": lead_id, "lead_name": state.leads[lead_id]["name"]}
        return state.add("opportunity", record, meta)


def update_opportunity(
    state: SandboxState, opportunity_id: str, payload: Mapping[str, Any], meta: RequestMeta
) -> Record:
    """Apply a partial update (moving to a won status sets ``date_won`` if unset).

    A status change also logs an ``OpportunityStatusChange`` activity.

    :param state: the sandbox state.
    :param opportunity_id: the opportunity.
    :param payload: the PUT body.
    :param meta: the request, for the event log.
    :raises NotFound: no such opportunity.
    :raises ValidationFailed: invalid values.
    """
    problems = Problems()
    with state.lock:
        before = state.get("opportunity", opportunity_id)
        record = dict(before)
        _apply(state, record, payload, problems)
        problems.raise_if_any()
        record.update(actor_fields(state.me, state.timestamp(), created=False))
        stored = state.change("opportunity", record, meta)
        log_opportunity_status_change(state, before, stored)
        return stored
