"""Log an email on a lead, or (explicitly) have Close send one: ``CloseCreateEmailOperator``.

Like the SMS operator, the required ``mode`` decides: ``"log"`` records an email that already
happened (``inbox``, ``sent``) or a ``draft``, and can never send anything; ``"send"`` makes
Close send it now (``outbox``) or at ``date_scheduled`` (``scheduled``). The payload is checked
before any request. Creates are retry-safe: on an Airflow retry, or when the outcome of the
POST is unknown, the lead's emails are searched for the same fingerprint first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.operators.activities import CloseCreateActivityOperator

if TYPE_CHECKING:
    from airflow_provider_close.client import JSONObject
    from airflow_provider_close.client.payloads.email import EmailMode, EmailPayload
    from airflow_provider_close.lookups.activities import ActivityKind

__all__ = ["CloseCreateEmailOperator"]

#: Fields that tell one email from another on the same lead; without one of them a
#: fingerprint would match any email of the lead, so no de-duplication is attempted.
_DISTINCTIVE_FIELDS = frozenset({"subject", "body_text"})


class CloseCreateEmailOperator(CloseCreateActivityOperator):
    """Log an email activity on a lead (``mode="log"``) or have Close send it (``mode="send"``).

    XCom gets ``{"id", "object", "action"}`` with ``action`` ``created``, or
    ``found_existing`` when a retry found the email an earlier try had created.

    :param lead_id: the lead (``lead_…``) (templated).
    :param mode: ``"log"`` (record only; nothing is sent) or ``"send"`` (Close emails the
        recipients); required, as for SMS, so sending is always an explicit choice (templated).
    :param status: with ``log``: ``inbox`` (received), ``sent`` or ``draft`` (required); with
        ``send``: ``outbox`` (default) or ``scheduled`` (default with ``date_scheduled``)
        (templated).
    :param direction: ``incoming`` (``inbox`` only) or ``outgoing`` (templated).
    :param sender: ``addr`` or ``"Name" <addr>``; required for ``inbox``, ``outbox`` and
        ``scheduled`` (templated).
    :param to: recipient addresses; at least one when sending (templated).
    :param cc: carbon-copy addresses (templated).
    :param bcc: blind carbon-copy addresses (templated).
    :param subject: the subject line (templated).
    :param body_text: the plain-text body (templated).
    :param body_html: the HTML body (templated).
    :param template_id: a Close email template (``tmpl_…``), rendered by Close; not together
        with a body (templated).
    :param contact_id: the contact (``cont_…``) (templated).
    :param user_id: the user the email belongs to (``user_…``) (templated).
    :param date_scheduled: when to send (``scheduled`` only) (templated).
    :param send_in: seconds (0-59) Close waits before sending, to allow undo (``outbox`` only).
    :param followup_date: when Close creates a follow-up task if nobody replied (templated).
    :param activity_at: when a logged email happened (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    activity_kind: ActivityKind = "email"
    template_fields: Sequence[str] = (
        "mode",
        "lead_id",
        "status",
        "direction",
        "sender",
        "to",
        "cc",
        "bcc",
        "subject",
        "body_text",
        "body_html",
        "template_id",
        "contact_id",
        "user_id",
        "date_scheduled",
        "followup_date",
        "activity_at",
        *CloseCreateActivityOperator.template_fields,
    )
    template_fields_renderers = {"body_html": "html"}

    def __init__(
        self,
        *,
        mode: EmailMode,
        lead_id: str,
        status: str | None = None,
        direction: str | None = None,
        sender: str | None = None,
        to: Sequence[str] | str | None = None,
        cc: Sequence[str] | str | None = None,
        bcc: Sequence[str] | str | None = None,
        subject: str | None = None,
        body_text: str | None = None,
        body_html: str | None = None,
        template_id: str | None = None,
        contact_id: str | None = None,
        user_id: str | None = None,
        date_scheduled: str | datetime | None = None,
        send_in: int | None = None,
        followup_date: str | datetime | None = None,
        activity_at: str | datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.lead_id = lead_id
        self.mode = mode
        self.status = status
        self.direction = direction
        self.sender = sender
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.subject = subject
        self.body_text = body_text
        self.body_html = body_html
        self.template_id = template_id
        self.contact_id = contact_id
        self.user_id = user_id
        self.date_scheduled = date_scheduled
        self.send_in = send_in
        self.followup_date = followup_date
        self.activity_at = activity_at

    def build_payload(self) -> EmailPayload:
        """Return the checked request body from the rendered fields (raises before any I/O)."""
        from airflow_provider_close.client.payloads.email import build_email_payload

        return build_email_payload(
            mode=self.mode,
            lead_id=self.lead_id,
            status=self.status,
            direction=self.direction,
            sender=self.sender,
            to=self.to,
            cc=self.cc,
            bcc=self.bcc,
            subject=self.subject,
            body_text=self.body_text,
            body_html=self.body_html,
            template_id=self.template_id,
            contact_id=self.contact_id,
            user_id=self.user_id,
            date_scheduled=self.date_scheduled,
            send_in=self.send_in,
            followup_date=self.followup_date,
            activity_at=self.activity_at,
        )

    def find_existing(self, payload: Mapping[str, Any], since: datetime) -> JSONObject | None:
        """Return this run's email with the payload's fingerprint, if one can be told apart.

        :param payload: the checked payload about to be sent.
        :param since: the earliest ``date_created`` it can have.
        """
        from airflow_provider_close.client.payloads.email import EMAIL_SEND_STATUSES
        from airflow_provider_close.lookups.activities import IDENTIFYING_FIELDS, identifying_fields

        fields = identifying_fields(IDENTIFYING_FIELDS["email"], payload)
        if _DISTINCTIVE_FIELDS.intersection(fields):
            return super().find_existing(payload, since)
        unsure = "cannot tell whether an earlier try created this email (no subject or body_text)"
        if payload["status"] in EMAIL_SEND_STATUSES:
            raise AirflowException(f"{unsure}; not sending it again: check the lead in Close")
        self.log.warning("%s; logging it again", unsure)
        return None
