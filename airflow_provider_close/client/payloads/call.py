"""Call payloads: log an external call with ``POST /activity/call/`` (close-api.md §6.4)."""

from __future__ import annotations

from typing import NotRequired, TypedDict, cast

from airflow_provider_close.client.payloads.enums import CallDirection, CallStatus
from airflow_provider_close.client.payloads.note import NoteOrHtml
from airflow_provider_close.client.payloads.types import (
    CallDuration,
    ContactId,
    HttpsUrl,
    LeadId,
    Moment,
    Phone,
)

__all__ = ["CallPayload", "build_call_payload"]


class CallPayload(TypedDict):
    """The body of ``POST /activity/call/``."""

    lead_id: str
    direction: CallDirection
    status: CallStatus
    contact_id: NotRequired[str]
    duration: NotRequired[int]
    phone: NotRequired[str]
    note: NotRequired[str]
    note_html: NotRequired[str]
    recording_url: NotRequired[str]
    activity_at: NotRequired[str]


class _Call(NoteOrHtml):
    lead_id: LeadId
    direction: CallDirection
    status: CallStatus
    contact_id: ContactId | None = None
    duration: CallDuration | None = None
    phone: Phone | None = None
    recording_url: HttpsUrl | None = None
    activity_at: Moment | None = None


def build_call_payload(
    *,
    lead_id: object,
    direction: object,
    status: object = "completed",
    contact_id: object = None,
    duration: object = None,
    phone: object = None,
    note: object = None,
    note_html: object = None,
    recording_url: object = None,
    activity_at: object = None,
) -> CallPayload:
    """Return the checked body that logs a call, or raise ``ClosePayloadError``.

    :param lead_id: the lead (``lead_…``).
    :param direction: ``inbound`` | ``outbound``.
    :param status: one of :data:`~.enums.CALL_STATUSES`; default ``completed``.
    :param contact_id: the contact called (``cont_…``).
    :param duration: whole seconds, 0 to 604800.
    :param phone: the other party's number (E.164).
    :param note: plain-text note; not together with ``note_html``.
    :param note_html: HTML note (wrapped in ``<body>`` if needed); not with ``note``.
    :param recording_url: an ``https://`` URL of the recording.
    :param activity_at: when the call happened (aware datetime or ISO 8601 string).
    """
    return cast(CallPayload, _Call.built("call", locals()))
