"""SMS payloads: ``POST /activity/sms/`` to log or to send (close-api.md §6.5).

Logging (status ``inbox`` = received, ``sent`` = already sent elsewhere) and sending
(``outbox`` = now, ``scheduled`` = at ``date_scheduled``) are chosen explicitly with
``mode``, so a pipeline meant to record history can never text a customer by accident.
"""

from __future__ import annotations

from typing import ClassVar, NotRequired, Self, TypedDict, cast

from pydantic import model_validator

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.enums import (
    SMS_LOG_STATUSES,
    SMS_SEND_STATUSES,
    SmsMode,
    SmsStatus,
    mode_status,
)
from airflow_provider_close.client.payloads.text import exclusive_pair
from airflow_provider_close.client.payloads.types import (
    ContactId,
    LeadId,
    Moment,
    Payload,
    Phone,
    SmsTemplateId,
    SmsText,
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


class _Sms(Payload):
    not_sent: ClassVar[frozenset[str]] = frozenset({"mode"})
    mode: SmsMode
    lead_id: LeadId
    remote_phone: Phone
    #: Which statuses are allowed depends on ``mode`` (checked below).
    status: object = None
    local_phone: Phone | None = None
    contact_id: ContactId | None = None
    text: SmsText | None = None
    template_id: SmsTemplateId | None = None
    date_scheduled: Moment | None = None
    activity_at: Moment | None = None

    @model_validator(mode="after")
    def _mode_rules(self) -> Self:
        self.status = status = mode_status(
            self.mode,
            self.status,
            self.date_scheduled,
            log=SMS_LOG_STATUSES,
            send=SMS_SEND_STATUSES,
        )
        if self.mode == "send" and self.local_phone is None:
            raise ClosePayloadError("local_phone", None, "your Close number in E.164 (mode='send')")
        exclusive_pair("", ("text", self.text), ("template_id", self.template_id), required=True)
        if status == "scheduled" and self.date_scheduled is None:
            raise ClosePayloadError("date_scheduled", None, "a datetime (status='scheduled')")
        if status != "scheduled" and self.date_scheduled is not None:
            allowed = "None unless status='scheduled'"
            raise ClosePayloadError("date_scheduled", self.date_scheduled, allowed)
        if status in SMS_SEND_STATUSES and self.activity_at is not None:
            raise ClosePayloadError(
                "activity_at", self.activity_at, "None when sending (mode='send')"
            )
        return self


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
    return cast(SmsPayload, _Sms.built("sms", locals()))
