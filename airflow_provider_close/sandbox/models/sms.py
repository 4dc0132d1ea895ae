"""SMS activities: status, phones (internal ``local_phone``), text (close-api.md §6.5)."""

from __future__ import annotations

from airflow_provider_close.sandbox.models.activities import ActivityRules, ActivityWrite
from airflow_provider_close.sandbox.models.checks import DOES_NOT_EXIST, REQUIRED
from airflow_provider_close.sandbox.models.phones import normalize_phone
from airflow_provider_close.sandbox.models.sending import apply_send_status, send_if_outbox

__all__ = ["SMS_DIRECTIONS", "SMS_RULES"]

SMS_DIRECTIONS = ("inbound", "outbound")
_SENDING = ("outbox", "scheduled")


def _phone(write: ActivityWrite, side: str) -> None:
    name = f"{side}_phone"
    raw = write.payload.get(name)
    if raw is None:
        return
    phone = normalize_phone(str(raw))
    if phone is None:
        write.problems.add(name, "Invalid phone number.")
        return
    write.record.update(
        {
            name: phone.e164,
            f"{name}_formatted": phone.formatted,
            f"{side}_country_iso": phone.country,
        }
    )


def _check_sending(write: ActivityWrite) -> None:
    record, problems = write.record, write.problems
    if record.get("status") not in _SENDING:
        return
    internal = {number["number"] for number in write.state.phone_numbers.values()}
    if not record.get("local_phone"):
        problems.add("local_phone", REQUIRED)
    elif record["local_phone"] not in internal:
        problems.add("local_phone", "This is not one of your organization's phone numbers.")
    if not record.get("remote_phone"):
        problems.add("remote_phone", REQUIRED)


def _apply(write: ActivityWrite, *, creating: bool) -> None:
    payload, record, problems = write.payload, write.record, write.problems
    apply_send_status(write, creating=creating)
    if problems.errors:
        return
    if payload.get("direction") is not None:
        record["direction"] = problems.enum(payload, "direction", SMS_DIRECTIONS)
    elif creating:
        record["direction"] = "inbound" if record.get("status") == "inbox" else "outbound"
    if payload.get("template_id") is not None:
        problems.add("template_id", DOES_NOT_EXIST)
    if "text" in payload and problems.texts(payload, ("text",)):
        record["text"] = str(payload["text"] or "")
    if "attachments" in payload:
        record["attachments"] = problems.listed(payload, "attachments")
    _phone(write, "local")
    _phone(write, "remote")
    if record.get("status") not in ("draft", None) and not record.get("text"):
        problems.add("text", REQUIRED)
    _check_sending(write)


def _on_create(write: ActivityWrite) -> None:
    sending = write.payload.get("status") in _SENDING
    write.record.update(
        {
            "status": None,
            "direction": None,
            "text": "",
            "template_id": None,
            "local_phone": None,
            "local_phone_formatted": None,
            "local_country_iso": None,
            "remote_phone": None,
            "remote_phone_formatted": None,
            "remote_country_iso": None,
            "date_scheduled": None,
            "date_sent": write.payload.get("date_sent"),
            "cost": None,
            "error_message": None,
            "attachments": [],
            "source": "Close.io" if sending else "External",
        }
    )
    _apply(write, creating=True)


def _on_update(write: ActivityWrite) -> None:
    _apply(write, creating=False)


SMS_RULES = ActivityRules(
    kind="sms", on_create=_on_create, on_update=_on_update, after_write=send_if_outbox
)
