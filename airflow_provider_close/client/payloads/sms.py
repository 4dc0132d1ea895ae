"""SMS payloads: ``POST /activity/sms/`` to log or to send (close-api.md §6.5).

Logging (status ``inbox`` = received, ``sent`` = already sent elsewhere) and sending
(``outbox`` = now, ``scheduled`` = at ``date_scheduled``) are chosen explicitly with
``mode``, so a pipeline meant to record history can never text a customer by accident.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict, cast

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact_points import e164_phone, optional_e164_phone
from airflow_provider_close.client.payloads.dates import iso_datetime, optional_iso_datetime
from airflow_provider_close.client.payloads.enums import (
    SMS_LOG_STATUSES,
    SMS_MODES,
    SMS_SEND_STATUSES,
    SmsMode,
    SmsStatus,
    allowed_text,
    check_choice,
)
from airflow_provider_close.client.payloads.fields import given_fields
from airflow_provider_close.client.payloads.ids import check_id, check_optional_id
from airflow_provider_close.client.payloads.text import (
    SMS_TEXT_MAX,
    exclusive_pair,
    required_text,
)

__all__ = ["SmsPayload", "build_sms_payload"]


class SmsPayload(TypedDict):
    """The body of ``POST /activity/sms/``."""

    lead_id: str
    status: SmsStatus
    remote_phone: str
    local_phone: NotRequired[str]
    contact_id: NotRequired[str]
    text: NotRequired[str]
    template_id: NotRequired[str]
    date_scheduled: NotRequired[str]
    activity_at: NotRequired[str]


def _status_for(mode: SmsMode, status: object, date_scheduled: object) -> SmsStatus:
    if mode == "log":
        if status is None:
            raise ClosePayloadError(
                "sms.status", None, allowed_text(SMS_LOG_STATUSES) + " (mode='log')"
            )
        return check_choice("sms.status", status, SMS_LOG_STATUSES)
    if status is None:
        return "outbox" if date_scheduled is None else "scheduled"
    return check_choice("sms.status", status, SMS_SEND_STATUSES)


def _schedule_fields(
    status: SmsStatus, date_scheduled: object, activity_at: object
) -> dict[str, object]:
    if status == "scheduled":
        if date_scheduled is None:
            raise ClosePayloadError("sms.date_scheduled", None, "a datetime (status='scheduled')")
        return {"date_scheduled": iso_datetime("sms.date_scheduled", date_scheduled)}
    if date_scheduled is not None:
        raise ClosePayloadError(
            "sms.date_scheduled", date_scheduled, "None unless status='scheduled'"
        )
    if status in SMS_SEND_STATUSES and activity_at is not None:
        raise ClosePayloadError("sms.activity_at", activity_at, "None when sending (mode='send')")
    return given_fields({"activity_at": optional_iso_datetime("sms.activity_at", activity_at)})


def _body_fields(text: object, template_id: object) -> dict[str, object]:
    chosen = exclusive_pair("sms", ("text", text), ("template_id", template_id), required=True)
    if chosen is not None and chosen[0] == "template_id":
        return {"template_id": check_id("sms.template_id", template_id, "sms_template")}
    return {"text": required_text("sms.text", text, max_length=SMS_TEXT_MAX)}


def build_sms_payload(
    *,
    mode: object,
    lead_id: object,
    remote_phone: object,
    status: object = None,
    local_phone: object = None,
    contact_id: object = None,
    text: object = None,
    template_id: object = None,
    date_scheduled: object = None,
    activity_at: object = None,
) -> SmsPayload:
    """Return the checked body of an SMS to log or to send, or raise ``ClosePayloadError``.

    :param mode: ``"log"`` (record an SMS, nothing is sent) or ``"send"`` (Close sends it).
    :param lead_id: the lead (``lead_…``).
    :param remote_phone: the customer's number (E.164).
    :param status: with ``log``: ``inbox`` (received) or ``sent``, required. With ``send``:
        ``outbox`` (now, the default) or ``scheduled`` (the default when ``date_scheduled``
        is given).
    :param local_phone: your Close number (E.164); required with ``send``.
    :param contact_id: the contact (``cont_…``).
    :param text: the message; exactly one of ``text`` and ``template_id``.
    :param template_id: an SMS template (``smstmpl_…``).
    :param date_scheduled: when to send (``scheduled`` only).
    :param activity_at: when a logged SMS happened (``log`` only).
    """
    chosen_mode = check_choice("sms.mode", mode, SMS_MODES)
    checked_status = _status_for(chosen_mode, status, date_scheduled)
    local = optional_e164_phone("sms.local_phone", local_phone)
    if chosen_mode == "send" and local is None:
        raise ClosePayloadError("sms.local_phone", None, "your Close number in E.164 (mode='send')")
    fields = given_fields(
        {
            "lead_id": check_id("sms.lead_id", lead_id, "lead"),
            "status": checked_status,
            "remote_phone": e164_phone("sms.remote_phone", remote_phone),
            "local_phone": local,
            "contact_id": check_optional_id("sms.contact_id", contact_id, "contact"),
            **_body_fields(text, template_id),
            **_schedule_fields(checked_status, date_scheduled, activity_at),
        }
    )
    return cast(SmsPayload, fields)
