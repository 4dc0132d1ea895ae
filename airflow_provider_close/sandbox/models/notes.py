"""Note activities: ``note`` vs ``note_html``, ``title``, ``pinned`` (close-api.md §6.6)."""

from __future__ import annotations

from airflow_provider_close.sandbox.models.activities import ActivityRules, ActivityWrite
from airflow_provider_close.sandbox.models.notes_html import note_fields

__all__ = ["NOTE_RULES"]


def _apply(write: ActivityWrite) -> None:
    record, payload, problems = write.record, write.payload, write.problems
    problems.texts(payload, ("note", "note_html", "title"))
    record.update(note_fields(payload) or {})
    if "title" in payload:
        record["title"] = payload["title"]
    pinned = payload.get("pinned")
    if pinned is not None:
        if not isinstance(pinned, bool):
            problems.add("pinned", "Must be a boolean.")
            return
        if pinned != record.get("pinned"):
            record["pinned_at"] = write.state.timestamp() if pinned else None
        record["pinned"] = pinned


def _on_create(write: ActivityWrite) -> None:
    attachments = write.problems.listed(write.payload, "attachments")
    write.record.update(
        {
            "note": "",
            "note_html": "",
            "title": None,
            "pinned": False,
            "pinned_at": None,
            "attachments": attachments,
        }
    )
    _apply(write)


NOTE_RULES = ActivityRules(kind="note", on_create=_on_create, on_update=_apply)
