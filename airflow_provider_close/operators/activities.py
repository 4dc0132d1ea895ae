"""Operators that log calls and log or send SMS on a lead, at most once under retries.

XCom: ``{"id", "object", "action"}`` (``created``, or ``found_existing`` when a retry or a
lost response found the activity an earlier attempt had created). The lead id is pushed for
the "View in Close" link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from airflow_provider_close.client.payloads.enums import EMAIL_SEND_STATUSES, SMS_SEND_STATUSES
from airflow_provider_close.operators._base import (
    CloseCreateOperator,
    CloseObjectResult,
    push_lead_id,
)

if TYPE_CHECKING:
    from airflow_provider_close.client import JSONObject
    from airflow_provider_close.client.payloads.enums import (
        CallDirection,
        CallStatus,
        SmsMode,
        SmsStatus,
    )
    from airflow_provider_close.lookups.activities import ActivityKind

__all__ = ["CloseCreateActivityOperator", "CloseCreateCallOperator", "CloseCreateSmsOperator"]

When = datetime | str
#: Statuses with which Close actually sends the message instead of logging it.
_SEND_STATUSES = frozenset((*SMS_SEND_STATUSES, *EMAIL_SEND_STATUSES))


class CloseCreateActivityOperator(CloseCreateOperator):
    """Base of the activity creates: build the payload, then create it at most once.

    Subclasses set :attr:`activity_kind` and implement :meth:`build_payload` (pure).
    """

    activity_kind: ActivityKind

    def build_payload(self) -> Mapping[str, Any]:
        """Return the checked payload (raises ``ClosePayloadError`` before any request)."""
        raise NotImplementedError

    def execute(self, context: Context) -> CloseObjectResult:
        """Create the activity unless an earlier try did; return ``{"id", "object", "action"}``."""
        from airflow_provider_close.idempotency.matching import created_since

        payload = self.build_payload()
        push_lead_id(context, str(payload["lead_id"]))
        kind, since = self.activity_kind, created_since(context)
        if payload.get("status") in _SEND_STATUSES:
            self.log.info(
                "mode='send': Close will send this %s (status=%s)", kind, payload["status"]
            )
        return self.create_at_most_once(
            context,
            create=lambda: self.hook.create_activity(kind, payload),
            find_existing=lambda: self.find_existing(payload, since),
            source="immediate",  # the lead's activities of this kind, by date_created
            what=kind,
        )

    def find_existing(self, payload: Mapping[str, Any], since: datetime) -> JSONObject | None:
        """Return the activity an earlier try of this run created, if any.

        :param payload: the checked payload about to be sent.
        :param since: the earliest ``date_created`` it can have (the run's start, less a margin).
        """
        from airflow_provider_close.lookups.activities import find_existing_activity

        return find_existing_activity(
            self.hook.client, self.activity_kind, payload, created_since=since
        )


class CloseCreateCallOperator(CloseCreateActivityOperator):
    """Log a call (made outside Close) on a lead.

    :param lead_id: the lead (``lead_…``) (templated).
    :param direction: ``inbound`` or ``outbound`` (templated).
    :param status: the call status, default ``completed`` (templated).
    :param contact_id: the contact (``cont_…``) (templated).
    :param duration: whole seconds, 0 to 604800 (templated).
    :param phone: the other party's number, E.164 (templated).
    :param note: plain-text note; not with ``note_html`` (templated).
    :param note_html: HTML note; not with ``note`` (templated).
    :param recording_url: an ``https://`` recording URL (templated).
    :param activity_at: when the call happened, aware datetime or ISO 8601 (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    activity_kind: ActivityKind = "call"
    template_fields: Sequence[str] = (
        "lead_id",
        "direction",
        "status",
        "contact_id",
        "duration",
        "phone",
        "note",
        "note_html",
        "recording_url",
        "activity_at",
        "close_conn_id",
    )

    def __init__(
        self,
        *,
        lead_id: str,
        direction: CallDirection,
        status: CallStatus = "completed",
        contact_id: str | None = None,
        duration: int | str | None = None,
        phone: str | None = None,
        note: str | None = None,
        note_html: str | None = None,
        recording_url: str | None = None,
        activity_at: When | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.lead_id = lead_id
        self.direction = direction
        self.status = status
        self.contact_id = contact_id
        self.duration = duration
        self.phone = phone
        self.note = note
        self.note_html = note_html
        self.recording_url = recording_url
        self.activity_at = activity_at

    def build_payload(self) -> Mapping[str, Any]:
        """Return the checked call payload."""
        from airflow_provider_close.client.payloads.call import build_call_payload

        return build_call_payload(
            lead_id=self.lead_id,
            direction=self.direction,
            status=self.status,
            contact_id=self.contact_id,
            duration=self.duration,
            phone=self.phone,
            note=self.note,
            note_html=self.note_html,
            recording_url=self.recording_url,
            activity_at=self.activity_at,
        )


class CloseCreateSmsOperator(CloseCreateActivityOperator):
    """Log an SMS that happened, or have Close send one: ``mode`` makes the choice explicit.

    :param mode: ``"log"`` (record only; status ``inbox`` or ``sent``) or ``"send"`` (Close
        texts the customer; status ``outbox``, or ``scheduled`` with ``date_scheduled``)
        (templated).
    :param lead_id: the lead (``lead_…``) (templated).
    :param remote_phone: the customer's number, E.164 (templated).
    :param status: see ``mode``; with ``send`` it defaults from ``date_scheduled`` (templated).
    :param local_phone: your Close number, E.164; required with ``send`` (templated).
    :param contact_id: the contact (``cont_…``) (templated).
    :param text: the message; not with ``template_id`` (templated).
    :param template_id: an SMS template (``smstmpl_…``); not with ``text`` (templated).
    :param date_scheduled: when to send (``scheduled`` only) (templated).
    :param activity_at: when a logged SMS happened (``log`` only) (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    activity_kind: ActivityKind = "sms"
    template_fields: Sequence[str] = (
        "mode",
        "lead_id",
        "remote_phone",
        "status",
        "local_phone",
        "contact_id",
        "text",
        "template_id",
        "date_scheduled",
        "activity_at",
        "close_conn_id",
    )

    def __init__(
        self,
        *,
        mode: SmsMode,
        lead_id: str,
        remote_phone: str,
        status: SmsStatus | None = None,
        local_phone: str | None = None,
        contact_id: str | None = None,
        text: str | None = None,
        template_id: str | None = None,
        date_scheduled: When | None = None,
        activity_at: When | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mode = mode
        self.lead_id = lead_id
        self.remote_phone = remote_phone
        self.status = status
        self.local_phone = local_phone
        self.contact_id = contact_id
        self.text = text
        self.template_id = template_id
        self.date_scheduled = date_scheduled
        self.activity_at = activity_at

    def build_payload(self) -> Mapping[str, Any]:
        """Return the checked SMS payload."""
        from airflow_provider_close.client.payloads.sms import build_sms_payload

        return build_sms_payload(
            mode=self.mode,
            lead_id=self.lead_id,
            remote_phone=self.remote_phone,
            status=self.status,
            local_phone=self.local_phone,
            contact_id=self.contact_id,
            text=self.text,
            template_id=self.template_id,
            date_scheduled=self.date_scheduled,
            activity_at=self.activity_at,
        )
