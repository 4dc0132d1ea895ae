"""Call activities: direction, status, duration, recording URL and notes (close-api.md §6.4)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.models.activities import ActivityRules, ActivityWrite
from airflow_provider_close.sandbox.models.checks import Problems
from airflow_provider_close.sandbox.models.notes_html import note_fields
from airflow_provider_close.sandbox.models.phones import normalize_phone
from airflow_provider_close.sandbox.records import Record

__all__ = ["CALL_DIRECTIONS", "CALL_RULES", "CALL_STATUSES", "MAX_CALL_DURATION"]

CALL_DIRECTIONS = ("inbound", "outbound")
CALL_STATUSES = (
    "created",
    "in-progress",
    "completed",
    "cancel",
    "no-answer",
    "busy",
    "failed",
    "timeout",
)
MAX_CALL_DURATION = 604_800
_DISPOSITION_BY_STATUS = {"no-answer": "no-answer", "busy": "busy", "failed": "error"}


def _duration(payload: Mapping[str, Any], problems: Problems) -> int | None:
    value = payload.get("duration")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add("duration", "Enter a whole number.")
        return None
    if not 0 <= value <= MAX_CALL_DURATION:
        problems.add("duration", f"Ensure this value is between 0 and {MAX_CALL_DURATION}.")
        return None
    return value


def _phone(record: Record, payload: Mapping[str, Any], problems: Problems) -> None:
    raw = payload.get("phone")
    if raw is None:
        return
    phone = normalize_phone(str(raw))
    if phone is None:
        problems.add("phone", "Invalid phone number.")
        return
    record |= {
        "phone": phone.e164,
        "remote_phone": phone.e164,
        "remote_phone_formatted": phone.formatted,
        "remote_country_iso": phone.country,
    }


def _apply(record: Record, payload: Mapping[str, Any], problems: Problems) -> None:
    for name, allowed in (("direction", CALL_DIRECTIONS), ("status", CALL_STATUSES)):
        if payload.get(name) is not None:
            record[name] = problems.enum(payload, name, allowed)
    duration = _duration(payload, problems)
    if duration is not None:
        record["duration"] = duration
    for name in ("recording_url", "voicemail_url"):
        url = payload.get(name)
        if url is not None and not str(url).startswith("https://"):
            problems.add(name, "URL must start with https://.")
        elif name in payload:
            record[name] = url
    record["has_recording"] = bool(record.get("recording_url"))
    if payload.get("outcome_id") is not None:
        record["outcome_id"] = payload["outcome_id"]
    _phone(record, payload, problems)
    problems.texts(payload, ("note", "note_html"))
    record.update(note_fields(payload) or {})
    status = record["status"]
    answered = status == "completed" and record["duration"] > 0
    record["disposition"] = _DISPOSITION_BY_STATUS.get(status, "answered" if answered else None)


def _on_create(write: ActivityWrite) -> None:
    write.record.update(
        {
            "direction": "outbound",
            "status": "completed",
            "duration": 0,
            "source": "External",
            "call_method": "external",
            "phone": None,
            "remote_phone": None,
            "local_phone": None,
            "recording_url": None,
            "voicemail_url": None,
            "voicemail_duration": 0,
            "note": "",
            "note_html": "",
            "cost": None,
            "outcome_id": None,
        }
    )
    _apply(write.record, write.payload, write.problems)


def _on_update(write: ActivityWrite) -> None:
    _apply(write.record, write.payload, write.problems)


CALL_RULES = ActivityRules(kind="call", on_create=_on_create, on_update=_on_update)
