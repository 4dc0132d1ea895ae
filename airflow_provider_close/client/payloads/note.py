"""Note payloads: ``POST /activity/note/`` (close-api.md §6.6), and the note-or-HTML rule."""

from __future__ import annotations

from typing import ClassVar, NotRequired, Self, TypedDict, cast

from pydantic import model_validator

from airflow_provider_close.client.payloads.text import note_or_html
from airflow_provider_close.client.payloads.types import (
    ContactId,
    Flag,
    LeadId,
    Line,
    Moment,
    Payload,
    Text,
)

__all__ = ["NoteOrHtml", "NotePayload", "build_note_payload"]


class NotePayload(TypedDict):
    """The body of ``POST /activity/note/``."""

    lead_id: str
    note: NotRequired[str]
    note_html: NotRequired[str]
    contact_id: NotRequired[str]
    title: NotRequired[str]
    pinned: NotRequired[bool]
    activity_at: NotRequired[str]


class NoteOrHtml(Payload):
    """``note`` (plain text) or ``note_html`` (wrapped in ``<body>…</body>``), never both."""

    note_required: ClassVar[bool] = False
    note: Text | None = None
    note_html: Text | None = None

    @model_validator(mode="after")
    def _one_note(self) -> Self:
        chosen = note_or_html("", self.note, self.note_html, required=self.note_required)
        self.note, self.note_html = chosen.get("note"), chosen.get("note_html")
        return self


class _Note(NoteOrHtml):
    note_required: ClassVar[bool] = True
    lead_id: LeadId
    contact_id: ContactId | None = None
    title: Line | None = None
    pinned: Flag | None = None
    activity_at: Moment | None = None


def build_note_payload(
    *,
    lead_id: object,
    note: object = None,
    note_html: object = None,
    contact_id: object = None,
    title: object = None,
    pinned: object = None,
    activity_at: object = None,
) -> NotePayload:
    """Return the checked body of a note, or raise ``ClosePayloadError``.

    :param lead_id: the lead (``lead_…``).
    :param note: plain text; exactly one of ``note`` and ``note_html`` is required.
    :param note_html: HTML (wrapped in ``<body>`` if needed).
    :param contact_id: the contact the note is about (``cont_…``).
    :param title: the note's title.
    :param pinned: pin the note on the lead.
    :param activity_at: when it happened (aware datetime or ISO 8601 string).
    """
    return cast(NotePayload, _Note.built("note", locals()))
