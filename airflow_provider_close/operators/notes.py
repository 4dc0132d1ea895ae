"""Operators for notes: create (at most once under retries) and get.

XCom: ``{"id", "object", "action"}`` for the create, ``{"id", "object"}`` for the get.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_close.operators.activities import CloseCreateActivityOperator
from airflow_provider_close.operators.reads_get import CloseGetObjectOperator

if TYPE_CHECKING:
    from airflow_provider_close.client import JSONObject
    from airflow_provider_close.lookups.activities import ActivityKind

__all__ = ["CloseCreateNoteOperator", "CloseGetNoteOperator"]


class CloseCreateNoteOperator(CloseCreateActivityOperator):
    """Add a note to a lead.

    :param lead_id: the lead (``lead_…``) (templated).
    :param note: plain text; exactly one of ``note`` and ``note_html`` (templated).
    :param note_html: HTML, wrapped in ``<body>`` if needed (templated).
    :param contact_id: the contact the note is about (``cont_…``) (templated).
    :param title: the note's title (templated).
    :param pinned: pin the note on the lead (templated).
    :param activity_at: when it happened, aware datetime or ISO 8601 (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    activity_kind: ActivityKind = "note"
    template_fields: Sequence[str] = (
        "lead_id",
        "note",
        "note_html",
        "contact_id",
        "title",
        "pinned",
        "activity_at",
        "close_conn_id",
    )

    def __init__(
        self,
        *,
        lead_id: str,
        note: str | None = None,
        note_html: str | None = None,
        contact_id: str | None = None,
        title: str | None = None,
        pinned: bool | str | None = None,
        activity_at: datetime | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.lead_id = lead_id
        self.note = note
        self.note_html = note_html
        self.contact_id = contact_id
        self.title = title
        self.pinned = pinned
        self.activity_at = activity_at

    def build_payload(self) -> Mapping[str, Any]:
        """Return the checked note payload."""
        from airflow_provider_close.client.payloads.note import build_note_payload

        return build_note_payload(
            lead_id=self.lead_id,
            note=self.note,
            note_html=self.note_html,
            contact_id=self.contact_id,
            title=self.title,
            pinned=self.pinned,
            activity_at=self.activity_at,
        )


class CloseGetNoteOperator(CloseGetObjectOperator):
    """Read one note (``acti_…``); XCom gets ``{"id", "object", "action": "fetched"}``.

    ``None`` instead when the note does not exist and ``missing_ok=True``; the note's lead id
    is pushed for the "View in Close" link.

    :param object_id: the note's activity id (templated).
    :param fields: only return these fields (templated).
    :param missing_ok: return ``None`` instead of failing when the note does not exist.
    """

    object_kind = "activity"

    def read_object(self, object_id: str) -> JSONObject:
        """Return the note. :param object_id: a checked ``acti_…`` id."""
        return self.hook.get_activity("note", object_id, fields=self.fields)
