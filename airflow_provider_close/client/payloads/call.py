"""Call payloads: log an external call with ``POST /activity/call/`` (close-api.md §6.4)."""

from __future__ import annotations

from typing import Final, NotRequired, TypedDict, cast

from airflow_provider_close.client.payloads.contact_points import optional_e164_phone
from airflow_provider_close.client.payloads.dates import optional_iso_datetime
from airflow_provider_close.client.payloads.enums import (
    CALL_DIRECTIONS,
    CALL_STATUSES,
    CallDirection,
    CallStatus,
    check_choice,
)
from airflow_provider_close.client.payloads.fields import given_fields
from airflow_provider_close.client.payloads.ids import check_id, check_optional_id
from airflow_provider_close.client.payloads.scalars import optional_bounded_int, optional_url
from airflow_provider_close.client.payloads.text import note_or_html

__all__ = ["MAX_CALL_DURATION", "CallPayload", "build_call_payload"]

#: Close's limit on a call's duration, in seconds (one week).
MAX_CALL_DURATION: Final = 604800


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
    optional = given_fields(
        {
            "contact_id": check_optional_id("call.contact_id", contact_id, "contact"),
            "duration": optional_bounded_int(
                "call.duration", duration, minimum=0, maximum=MAX_CALL_DURATION
            ),
            "phone": optional_e164_phone("call.phone", phone),
            "recording_url": optional_url("call.recording_url", recording_url, https_only=True),
            "activity_at": optional_iso_datetime("call.activity_at", activity_at),
            **note_or_html("call", note, note_html, required=False),
        }
    )
    required = {
        "lead_id": check_id("call.lead_id", lead_id, "lead"),
        "direction": check_choice("call.direction", direction, CALL_DIRECTIONS),
        "status": check_choice("call.status", status, CALL_STATUSES),
    }
    return cast(CallPayload, {**required, **optional})
