"""Note payloads: ``POST /activity/note/`` (close-api.md §6.6)."""

from __future__ import annotations

from typing import NotRequired, TypedDict, cast

from airflow_provider_close.client.payloads.dates import optional_iso_datetime
from airflow_provider_close.client.payloads.fields import given_fields
from airflow_provider_close.client.payloads.ids import check_id, check_optional_id
from airflow_provider_close.client.payloads.scalars import optional_bool
from airflow_provider_close.client.payloads.text import note_or_html, optional_line

__all__ = ["NotePayload", "build_note_payload"]


class NotePayload(TypedDict):
    """The body of ``POST /activity/note/``."""

    lead_id: str
    note: NotRequired[str]
    note_html: NotRequired[str]
    contact_id: NotRequired[str]
    title: NotRequired[str]
    pinned: NotRequired[bool]
    activity_at: NotRequired[str]


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
    fields = given_fields(
        {
            "lead_id": check_id("note.lead_id", lead_id, "lead"),
            **note_or_html("note", note, note_html, required=True),
            "contact_id": check_optional_id("note.contact_id", contact_id, "contact"),
            "title": optional_line("note.title", title),
            "pinned": optional_bool("note.pinned", pinned),
            "activity_at": optional_iso_datetime("note.activity_at", activity_at),
        }
    )
    return cast(NotePayload, fields)
