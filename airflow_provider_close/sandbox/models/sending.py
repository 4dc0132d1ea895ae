"""Draft/scheduled/outbox/sent semantics shared by SMS and email (close-api.md §6.5, §6.7)."""

from __future__ import annotations

from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.activities import ActivityWrite
from airflow_provider_close.sandbox.models.checks import REQUIRED
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["EDITABLE_STATUSES", "SEND_STATUSES", "apply_send_status", "send_if_outbox"]

SEND_STATUSES = ("inbox", "draft", "scheduled", "outbox", "sent", "error")
#: Statuses whose message may still be edited (a scheduled one can go back to draft).
EDITABLE_STATUSES = ("draft", "scheduled", "outbox")


def apply_send_status(write: ActivityWrite, *, creating: bool) -> None:
    """Validate ``status`` / ``date_scheduled`` and copy them to the record.

    :param write: the activity being written.
    :param creating: True on POST (status required), False on PUT (only drafts editable).
    """
    payload, record, problems = write.payload, write.record, write.problems
    if not creating and record.get("status") not in EDITABLE_STATUSES:
        problems.add_general("Only draft or scheduled messages can be edited.")
        return
    if creating and payload.get("status") is None:
        problems.add("status", REQUIRED)
    status = problems.enum(payload, "status", SEND_STATUSES)
    if status is not None:
        record["status"] = status
    scheduled = problems.moment(payload, "date_scheduled")
    if scheduled:
        record["date_scheduled"] = scheduled
    if record.get("status") == "scheduled" and not record.get("date_scheduled"):
        problems.add("date_scheduled", REQUIRED)


def send_if_outbox(state: SandboxState, record: Record, meta: RequestMeta) -> Record:
    """Send an ``outbox`` message at once: status ``sent``, ``date_sent`` now, a ``sent`` event.

    :param state: the sandbox state.
    :param record: the stored message.
    :param meta: the request, for the event log.
    """
    if record.get("status") != "outbox":
        return record
    sent = {**record, "status": "sent", "date_sent": state.timestamp()}
    return state.change("activity", sent, meta, action="sent")
