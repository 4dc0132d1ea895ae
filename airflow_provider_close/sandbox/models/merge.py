"""Lead merge (``POST /lead/merge/``): children move to the destination, the source is deleted.

close-api.md §6.1, §9b: the source's contacts, activities, opportunities and tasks move to the
destination, a ``LeadMerge`` activity is logged on it, and the event log shows ``lead``/
``merged`` on the destination and ``lead``/``deleted`` on the source, both carrying
``meta.merge_source_lead_id`` and ``meta.merge_destination_lead_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from airflow_provider_close.sandbox.errors import ValidationFailed
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.checks import REQUIRED, actor_fields
from airflow_provider_close.sandbox.records import Kind, Record
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["merge_leads"]

#: Children that follow a merge to the destination, in the order they are moved.
_MOVED: tuple[Kind, ...] = ("contact", "activity", "opportunity", "task")


def _check(state: SandboxState, payload: Mapping[str, Any]) -> tuple[str, str]:
    errors: dict[str, Any] = {}
    for name in ("source", "destination"):
        value = payload.get(name)
        if not value:
            errors[name] = REQUIRED
        elif not isinstance(value, str):
            errors[name] = "Not a valid string."
        elif value not in state.leads:
            errors[name] = "Object does not exist."
    if not errors and payload["source"] == payload["destination"]:
        errors["destination"] = "A lead cannot be merged into itself."
    if errors:
        raise ValidationFailed(errors)
    return str(payload["source"]), str(payload["destination"])


def _merge_activity(state: SandboxState, source: Record, destination: Record) -> Record:
    return state.insert_activity(
        "lead_merge",
        lead_id=destination["id"],
        source_lead_id=source["id"],
        source_lead_name=source.get("display_name", ""),
        destination_lead_id=destination["id"],
        destination_lead_name=destination.get("display_name", ""),
        merge_status="done",
    )


def merge_leads(state: SandboxState, payload: Mapping[str, Any], meta: RequestMeta) -> Record:
    """Merge ``payload["source"]`` into ``payload["destination"]``; return ``{}`` as Close does.

    :param state: the sandbox state.
    :param payload: ``{"source": "lead_…", "destination": "lead_…"}``.
    :param meta: the request, for the event log.
    :raises ValidationFailed: a missing or unknown lead, or a lead merged into itself.
    """
    with state.lock:
        source_id, destination_id = _check(state, payload)
        merge_meta = replace(
            meta,
            extra={"merge_source_lead_id": source_id, "merge_destination_lead_id": destination_id},
        )
        for kind in _MOVED:
            moved = [dict(r) for r in state.store(kind).values() if r["lead_id"] == source_id]
            for child in moved:
                child["lead_id"] = destination_id
                state.change(kind, child, merge_meta)
        source = state.get("lead", source_id)
        destination = dict(state.get("lead", destination_id))
        state.add("activity", _merge_activity(state, source, destination), merge_meta)
        destination.update(actor_fields(state.me, state.timestamp(), created=False))
        state.change("lead", destination, merge_meta, action="merged")
        state.remove("lead", source_id, merge_meta)
    return {}
