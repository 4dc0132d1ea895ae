"""``LeadStatusChange`` / ``OpportunityStatusChange`` activities logged when a status moves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["log_lead_status_change", "log_opportunity_status_change"]


def _status_fields(prefix: str, status: Mapping[str, Any]) -> Record:
    fields = {f"{prefix}_status_id": status["id"], f"{prefix}_status_label": status["label"]}
    if "type" in status:
        fields[f"{prefix}_status_type"] = status["type"]
    return fields


def log_lead_status_change(state: SandboxState, before: Record, after: Record) -> None:
    """Log a ``LeadStatusChange`` activity if the lead's status changed.

    :param state: the sandbox state.
    :param before: the lead before the update.
    :param after: the lead after the update.
    """
    if before["status_id"] == after["status_id"]:
        return
    old = state.lead_statuses.get(before["status_id"], {"id": before["status_id"], "label": None})
    new = state.lead_statuses[after["status_id"]]
    state.insert_activity(
        "lead_status_change",
        log_event=True,
        lead_id=after["id"],
        **_status_fields("old", old),
        **_status_fields("new", new),
    )


def log_opportunity_status_change(state: SandboxState, before: Record, after: Record) -> None:
    """Log an ``OpportunityStatusChange`` activity if the opportunity's status changed.

    :param state: the sandbox state.
    :param before: the opportunity before the update.
    :param after: the opportunity after the update.
    """
    if before["status_id"] == after["status_id"]:
        return
    statuses = state.opportunity_statuses
    old = statuses.get(before["status_id"], {"id": before["status_id"], "label": None})
    state.insert_activity(
        "opportunity_status_change",
        log_event=True,
        lead_id=after["lead_id"],
        opportunity_id=after["id"],
        opportunity_value=after["value"],
        opportunity_value_period=after["value_period"],
        opportunity_value_formatted=after["value_formatted"],
        opportunity_confidence=after["confidence"],
        **_status_fields("old", old),
        **_status_fields("new", statuses[after["status_id"]]),
    )
