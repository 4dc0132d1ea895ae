"""Email payloads: ``POST /activity/email/`` to log or to send (close-api.md §6.7).

Mirrors the SMS builder: logging (status ``inbox`` = received, ``sent`` = sent elsewhere,
``draft`` = a draft nobody sends) and sending (``outbox`` = now, ``scheduled`` = at
``date_scheduled``) are chosen explicitly with ``mode``, so a pipeline meant to record
history can never email a customer by accident.

Close's rules checked here: ``sender`` is required for ``inbox``, ``scheduled`` and
``outbox``; ``date_scheduled`` only and always with ``scheduled``; ``send_in`` (< 60 s)
only with ``outbox``; ``followup_date`` only for ``scheduled``, ``outbox`` and ``sent``;
a template is rendered server-side only without a body, so ``template_id`` excludes
``body_text``/``body_html``; an email needs a subject, a body or a template. Email
``direction`` is ``incoming``/``outgoing`` (not inbound/outbound) and must agree with the
status: only ``inbox`` is incoming.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Literal, NotRequired, TypedDict, cast, get_args

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact_points import (
    EMAIL_ALLOWED,
    check_email_address,
)
from airflow_provider_close.client.payloads.dates import iso_datetime, optional_iso_datetime
from airflow_provider_close.client.payloads.enums import (
    EMAIL_SEND_STATUSES,
    EmailStatus,
    allowed_text,
    check_choice,
)
from airflow_provider_close.client.payloads.fields import given_fields
from airflow_provider_close.client.payloads.ids import check_id, check_optional_id
from airflow_provider_close.client.payloads.scalars import optional_bounded_int
from airflow_provider_close.client.payloads.text import (
    EMAIL_BODY_MAX,
    optional_line,
    optional_text,
)

__all__ = [
    "EMAIL_DIRECTIONS",
    "EMAIL_LOG_STATUSES",
    "EMAIL_MODES",
    "EMAIL_SEND_STATUSES",
    "EmailDirection",
    "EmailMode",
    "EmailPayload",
    "EmailStatus",
    "build_email_payload",
    "check_mailbox",
]

EmailDirection = Literal["incoming", "outgoing"]
EmailMode = Literal["log", "send"]

EMAIL_MODES: Final[tuple[EmailMode, ...]] = get_args(EmailMode)
EMAIL_DIRECTIONS: Final[tuple[EmailDirection, ...]] = get_args(EmailDirection)
#: Statuses that record an email without sending anything.
EMAIL_LOG_STATUSES: Final[tuple[EmailStatus, ...]] = ("inbox", "sent", "draft")
_SENDER_REQUIRED: Final[tuple[EmailStatus, ...]] = ("inbox", "scheduled", "outbox")
_FOLLOWUP_STATUSES: Final[tuple[EmailStatus, ...]] = ("scheduled", "outbox", "sent")
_MAX_SEND_IN: Final = 59
_MAILBOX_ALLOWED: Final = f"{EMAIL_ALLOWED}, or '\"Name\" <ada@example.com>'"
_NAME_ADDR = re.compile(r"(?P<name>[^<>]*)<(?P<addr>[^<>]+)>")


class EmailPayload(TypedDict):
    """The body of ``POST /activity/email/``."""

    lead_id: str
    status: EmailStatus
    direction: NotRequired[EmailDirection]
    contact_id: NotRequired[str]
    user_id: NotRequired[str]
    sender: NotRequired[str]
    to: NotRequired[list[str]]
    cc: NotRequired[list[str]]
    bcc: NotRequired[list[str]]
    subject: NotRequired[str]
    body_text: NotRequired[str]
    body_html: NotRequired[str]
    template_id: NotRequired[str]
    date_scheduled: NotRequired[str]
    send_in: NotRequired[int]
    followup_date: NotRequired[str]
    activity_at: NotRequired[str]


def check_mailbox(field: str, value: object) -> str:
    """Return ``value`` (stripped) if it is ``addr`` or ``"Name" <addr>``, else raise.

    :param field: the field name used in the error, e.g. ``"email.sender"``.
    :param value: the candidate mailbox.
    """
    if not isinstance(value, str) or any(ch in value for ch in "\r\n\x00"):
        raise ClosePayloadError(field, value, _MAILBOX_ALLOWED)
    text = value.strip()
    match = _NAME_ADDR.fullmatch(text)
    address = match.group("addr") if match else text
    try:
        check_email_address(field, address)
    except ClosePayloadError:
        raise ClosePayloadError(field, value, _MAILBOX_ALLOWED) from None
    return text


def _mailboxes(field: str, values: object) -> list[str] | None:
    """Return the checked recipients list, ``None`` when empty or not given."""
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, Sequence):
        raise ClosePayloadError(field, values, f"a list of addresses ({_MAILBOX_ALLOWED})")
    checked = [check_mailbox(f"{field}[{index}]", item) for index, item in enumerate(values)]
    return checked or None


def _status_for(mode: EmailMode, status: object, date_scheduled: object) -> EmailStatus:
    if mode == "log":
        if status is None:
            allowed = allowed_text(EMAIL_LOG_STATUSES) + " (mode='log')"
            raise ClosePayloadError("email.status", None, allowed)
        return check_choice("email.status", status, EMAIL_LOG_STATUSES)
    if status is None:
        return "outbox" if date_scheduled is None else "scheduled"
    return check_choice("email.status", status, EMAIL_SEND_STATUSES)


def _direction_for(status: EmailStatus, direction: object) -> EmailDirection | None:
    if direction is None:
        return None
    checked = check_choice("email.direction", direction, EMAIL_DIRECTIONS)
    expected: EmailDirection = "incoming" if status == "inbox" else "outgoing"
    if checked != expected:
        raise ClosePayloadError("email.direction", direction, f"{expected!r} for status={status!r}")
    return checked


def _schedule_fields(
    status: EmailStatus, date_scheduled: object, send_in: object, followup_date: object
) -> dict[str, object]:
    if status == "scheduled" and date_scheduled is None:
        raise ClosePayloadError("email.date_scheduled", None, "a datetime (status='scheduled')")
    if status != "scheduled" and date_scheduled is not None:
        raise ClosePayloadError(
            "email.date_scheduled", date_scheduled, "None unless status='scheduled'"
        )
    if status != "outbox" and send_in is not None:
        raise ClosePayloadError("email.send_in", send_in, "None unless status='outbox'")
    if status not in _FOLLOWUP_STATUSES and followup_date is not None:
        allowed = f"None unless status is {allowed_text(_FOLLOWUP_STATUSES)}"
        raise ClosePayloadError("email.followup_date", followup_date, allowed)
    return given_fields(
        {
            "date_scheduled": None
            if date_scheduled is None
            else iso_datetime("email.date_scheduled", date_scheduled),
            "send_in": optional_bounded_int(
                "email.send_in", send_in, minimum=0, maximum=_MAX_SEND_IN
            ),
            "followup_date": optional_iso_datetime("email.followup_date", followup_date),
        }
    )


def _content_fields(
    subject: object, body_text: object, body_html: object, template_id: object
) -> dict[str, object]:
    body = {
        "body_text": optional_text("email.body_text", body_text, max_length=EMAIL_BODY_MAX),
        "body_html": optional_text("email.body_html", body_html, max_length=EMAIL_BODY_MAX),
    }
    if template_id is not None and any(value is not None for value in body.values()):
        raise ClosePayloadError(
            "email.template_id", template_id, "None when body_text or body_html is given"
        )
    fields = given_fields(
        {
            "subject": optional_line("email.subject", subject),
            **body,
            "template_id": check_optional_id("email.template_id", template_id, "email_template"),
        }
    )
    if not fields:
        raise ClosePayloadError(
            "email.subject", subject, "a subject, body_text, body_html or template_id"
        )
    return fields


def _party_fields(
    status: EmailStatus, sender: object, to: object, cc: object, bcc: object
) -> dict[str, object]:
    checked_sender = None if sender is None else check_mailbox("email.sender", sender)
    if checked_sender is None and status in _SENDER_REQUIRED:
        raise ClosePayloadError("email.sender", None, f"{_MAILBOX_ALLOWED} (status={status!r})")
    recipients = _mailboxes("email.to", to)
    if recipients is None and status in EMAIL_SEND_STATUSES:
        raise ClosePayloadError("email.to", to, f"at least one address (status={status!r})")
    return given_fields(
        {
            "sender": checked_sender,
            "to": recipients,
            "cc": _mailboxes("email.cc", cc),
            "bcc": _mailboxes("email.bcc", bcc),
        }
    )


def build_email_payload(
    *,
    mode: object,
    lead_id: object,
    status: object = None,
    direction: object = None,
    sender: object = None,
    to: object = None,
    cc: object = None,
    bcc: object = None,
    subject: object = None,
    body_text: object = None,
    body_html: object = None,
    template_id: object = None,
    contact_id: object = None,
    user_id: object = None,
    date_scheduled: object = None,
    send_in: object = None,
    followup_date: object = None,
    activity_at: object = None,
) -> EmailPayload:
    """Return the checked body of an email to log or to send, or raise ``ClosePayloadError``.

    :param mode: ``"log"`` (record an email, nothing is sent) or ``"send"`` (Close sends it).
    :param lead_id: the lead (``lead_…``).
    :param status: with ``log``: ``inbox`` (received), ``sent`` or ``draft``, required. With
        ``send``: ``outbox`` (now, the default) or ``scheduled`` (the default when
        ``date_scheduled`` is given).
    :param direction: ``incoming`` (only with ``inbox``) or ``outgoing``; optional.
    :param sender: ``addr`` or ``"Name" <addr>``; required for inbox, outbox, scheduled.
    :param to: recipients (a list, or one address); at least one when sending.
    :param cc: carbon-copy recipients.
    :param bcc: blind carbon-copy recipients.
    :param subject: the subject line.
    :param body_text: the plain-text body.
    :param body_html: the HTML body.
    :param template_id: an email template (``tmpl_…``) rendered by Close; not with a body.
    :param contact_id: the contact (``cont_…``).
    :param user_id: the user the email belongs to (``user_…``).
    :param date_scheduled: when to send (``scheduled`` only).
    :param send_in: seconds (0-59) Close waits before sending, to allow undo (``outbox`` only).
    :param followup_date: when Close creates a follow-up task if nobody replied.
    :param activity_at: when the email happened.
    """
    chosen_mode = check_choice("email.mode", mode, EMAIL_MODES)
    checked_status = _status_for(chosen_mode, status, date_scheduled)
    if chosen_mode == "send" and activity_at is not None:
        raise ClosePayloadError("email.activity_at", activity_at, "None when sending (mode='send')")
    fields = given_fields(
        {
            "lead_id": check_id("email.lead_id", lead_id, "lead"),
            "status": checked_status,
            "direction": _direction_for(checked_status, direction),
            "contact_id": check_optional_id("email.contact_id", contact_id, "contact"),
            "user_id": check_optional_id("email.user_id", user_id, "user"),
            **_party_fields(checked_status, sender, to, cc, bcc),
            **_content_fields(subject, body_text, body_html, template_id),
            **_schedule_fields(checked_status, date_scheduled, send_in, followup_date),
            "activity_at": optional_iso_datetime("email.activity_at", activity_at),
        }
    )
    return cast(EmailPayload, fields)
