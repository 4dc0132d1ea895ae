"""Meeting activities: never created by POST; PUT edits the user note, outcome, status."""

from __future__ import annotations

from airflow_provider_close.sandbox.models.activities import ActivityRules, ActivityWrite
from airflow_provider_close.sandbox.models.notes_html import note_fields

__all__ = ["MEETING_RULES", "MEETING_STATUSES"]

MEETING_STATUSES = (
    "upcoming",
    "in-progress",
    "completed",
    "canceled",
    "declined-by-lead",
    "declined-by-org",
)


def _on_update(write: ActivityWrite) -> None:
    payload, record = write.payload, write.record
    record.update(note_fields(payload, "user_note", "user_note_html") or {})
    for name in ("outcome_id", "title"):
        if name in payload:
            record[name] = payload[name]
    if payload.get("status") is not None:
        record["status"] = write.problems.enum(payload, "status", MEETING_STATUSES)


def _never(write: ActivityWrite) -> None:
    write.problems.add_general("Meetings cannot be created through the API.")


MEETING_RULES = ActivityRules(kind="meeting", on_create=_never, on_update=_on_update)
