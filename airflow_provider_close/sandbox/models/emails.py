"""Email activities: status, sender, direction, recipients, bodies (close-api.md §6.7)."""

from __future__ import annotations

from airflow_provider_close.sandbox.models.activities import ActivityRules, ActivityWrite
from airflow_provider_close.sandbox.models.checks import DOES_NOT_EXIST, REQUIRED
from airflow_provider_close.sandbox.models.notes_html import text_from_html
from airflow_provider_close.sandbox.models.sending import apply_send_status, send_if_outbox

__all__ = ["EMAIL_DIRECTIONS", "EMAIL_RULES", "SENDER_REQUIRED_FOR"]

EMAIL_DIRECTIONS = ("incoming", "outgoing")
#: Statuses that need a ``sender`` (since 2025-12).
SENDER_REQUIRED_FOR = ("inbox", "scheduled", "outbox", "error")
_RECIPIENT_FIELDS = ("to", "cc", "bcc")


def _recipients(write: ActivityWrite) -> None:
    for name in _RECIPIENT_FIELDS:
        if name not in write.payload:
            continue
        value = write.payload[name] or []
        if not isinstance(value, list) or not all(
            isinstance(item, str) and "@" in item for item in value
        ):
            write.problems.add(name, "Enter a list of valid email addresses.")
            continue
        write.record[name] = value


def _bodies(write: ActivityWrite) -> None:
    payload, record = write.payload, write.record
    write.problems.texts(payload, ("subject", "body_text", "body_html"))
    for name in ("subject", "body_text", "body_html", "followup_date"):
        if name in payload:
            record[name] = payload[name]
    if "body_html" in payload and "body_text" not in payload:
        record["body_text"] = text_from_html(str(payload["body_html"] or ""))


def _apply(write: ActivityWrite, *, creating: bool) -> None:
    payload, record, problems = write.payload, write.record, write.problems
    apply_send_status(write, creating=creating)
    if problems.errors:
        return
    if payload.get("direction") is not None:
        record["direction"] = problems.enum(payload, "direction", EMAIL_DIRECTIONS)
    elif creating:
        record["direction"] = "incoming" if record.get("status") == "inbox" else "outgoing"
    if payload.get("template_id") is not None:
        problems.add("template_id", DOES_NOT_EXIST)
    if "sender" in payload:
        record["sender"] = payload["sender"]
    sender = record.get("sender")
    if record.get("status") in SENDER_REQUIRED_FOR and not sender:
        problems.add("sender", REQUIRED)
    elif sender and "@" not in str(sender):
        problems.add("sender", 'Enter a valid sender, e.g. "Name" <name@example.com>.')
    _recipients(write)
    _bodies(write)


def _on_create(write: ActivityWrite) -> None:
    write.record.update(
        {
            "status": None,
            "direction": None,
            "sender": None,
            "to": [],
            "cc": [],
            "bcc": [],
            "subject": "",
            "body_text": "",
            "body_html": "",
            "template_id": None,
            "thread_id": None,
            "date_scheduled": None,
            "date_sent": write.payload.get("date_sent"),
            "followup_date": None,
            "attachments": write.problems.listed(write.payload, "attachments"),
            "opens": [],
        }
    )
    _apply(write, creating=True)


def _on_update(write: ActivityWrite) -> None:
    _apply(write, creating=False)


EMAIL_RULES = ActivityRules(
    kind="email", on_create=_on_create, on_update=_on_update, after_write=send_if_outbox
)
