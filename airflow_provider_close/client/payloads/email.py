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
from typing import Annotated, ClassVar, Final, Literal, NotRequired, Self, TypedDict, cast, get_args

from pydantic import model_validator

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact_points import (
    EMAIL_ALLOWED,
    check_email_address,
)
from airflow_provider_close.client.payloads.enums import (
    EMAIL_SEND_STATUSES,
    EmailStatus,
    allowed_text,
    mode_status,
)
from airflow_provider_close.client.payloads.types import (
    ContactId,
    EmailBody,
    EmailTemplateId,
    LeadId,
    Line,
    Moment,
    Payload,
    SendIn,
    UserId,
    checked,
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
_MAILBOX_ALLOWED: Final = f"{EMAIL_ALLOWED}, or '\"Name\" <ada@example.com>'"
_CONTENT_ALLOWED: Final = "a subject, body_text, body_html or template_id"
_FOLLOWUP_ALLOWED: Final = f"None unless status is {allowed_text(_FOLLOWUP_STATUSES)}"
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


Mailbox = Annotated[str, checked(check_mailbox)]
Mailboxes = Annotated[list[str] | None, checked(_mailboxes)]


class _Email(Payload):
    not_sent: ClassVar[frozenset[str]] = frozenset({"mode"})
    mode: EmailMode
    lead_id: LeadId
    #: Which statuses are allowed depends on ``mode`` (checked below).
    status: object = None
    direction: EmailDirection | None = None
    contact_id: ContactId | None = None
    user_id: UserId | None = None
    sender: Mailbox | None = None
    to: Mailboxes = None
    cc: Mailboxes = None
    bcc: Mailboxes = None
    subject: Line | None = None
    body_text: EmailBody | None = None
    body_html: EmailBody | None = None
    template_id: EmailTemplateId | None = None
    date_scheduled: Moment | None = None
    send_in: SendIn | None = None
    followup_date: Moment | None = None
    activity_at: Moment | None = None

    @model_validator(mode="after")
    def _status_rules(self) -> Self:
        self.status = status = mode_status(
            self.mode,
            self.status,
            self.date_scheduled,
            log=EMAIL_LOG_STATUSES,
            send=EMAIL_SEND_STATUSES,
        )
        expected: EmailDirection = "incoming" if status == "inbox" else "outgoing"
        has_body = self.body_text is not None or self.body_html is not None
        sending, scheduled = self.mode == "send", status == "scheduled"
        on = f"(status={status!r})"
        for field, required, refused, allowed in (  # (field, required, refused, allowed)
            ("activity_at", False, sending, "None when sending (mode='send')"),
            ("direction", False, self.direction != expected, f"{expected!r} for status={status!r}"),
            ("sender", status in _SENDER_REQUIRED, False, f"{_MAILBOX_ALLOWED} {on}"),
            ("to", status in EMAIL_SEND_STATUSES, False, f"at least one address {on}"),
            ("template_id", False, has_body, "None when body_text or body_html is given"),
            ("subject", not has_body and self.template_id is None, False, _CONTENT_ALLOWED),
            ("date_scheduled", scheduled, False, "a datetime (status='scheduled')"),
            ("date_scheduled", False, not scheduled, "None unless status='scheduled'"),
            ("send_in", False, status != "outbox", "None unless status='outbox'"),
            ("followup_date", False, status not in _FOLLOWUP_STATUSES, _FOLLOWUP_ALLOWED),
        ):
            value = getattr(self, field)
            if (value is None and required) or (value is not None and refused):
                raise ClosePayloadError(field, value, allowed)
        return self


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
    return cast(EmailPayload, _Email.built("email", locals()))
