"""Closed sets of values in Close payloads (close-api.md §6, close-openapi.yml enums)."""

from __future__ import annotations

from typing import Final, Literal, TypeVar, cast, get_args

from airflow_provider_close.client.errors import ClosePayloadError

__all__ = [
    "CALL_DIRECTIONS",
    "CALL_STATUSES",
    "EMAIL_SEND_STATUSES",
    "SMS_LOG_STATUSES",
    "SMS_MODES",
    "SMS_SEND_STATUSES",
    "TASK_TYPES",
    "VALUE_PERIODS",
    "VALUE_UNITS",
    "CallDirection",
    "CallStatus",
    "EmailStatus",
    "SmsMode",
    "SmsStatus",
    "TaskType",
    "ValuePeriod",
    "ValueUnit",
    "allowed_text",
    "check_choice",
    "mode_status",
]

CallDirection = Literal["inbound", "outbound"]
CallStatus = Literal[
    "created", "in-progress", "completed", "cancel", "no-answer", "busy", "failed", "timeout"
]
SmsStatus = Literal["inbox", "draft", "scheduled", "outbox", "sent", "error"]
SmsMode = Literal["log", "send"]
TaskType = Literal["lead", "outgoing_call"]
ValuePeriod = Literal["one_time", "monthly", "annual"]
ValueUnit = Literal["units", "cents"]

CALL_DIRECTIONS: Final[tuple[CallDirection, ...]] = get_args(CallDirection)
CALL_STATUSES: Final[tuple[CallStatus, ...]] = get_args(CallStatus)
SMS_MODES: Final[tuple[SmsMode, ...]] = get_args(SmsMode)
#: Statuses that record an SMS that already happened (nothing is sent).
SMS_LOG_STATUSES: Final[tuple[SmsStatus, ...]] = ("inbox", "sent")
#: Statuses that make Close send the SMS (now, or at ``date_scheduled``).
EmailStatus = Literal["inbox", "draft", "scheduled", "outbox", "sent"]
#: Statuses that make Close send the email (now, or at ``date_scheduled``).
EMAIL_SEND_STATUSES: Final[tuple[EmailStatus, ...]] = ("outbox", "scheduled")
SMS_SEND_STATUSES: Final[tuple[SmsStatus, ...]] = ("outbox", "scheduled")
TASK_TYPES: Final[tuple[TaskType, ...]] = get_args(TaskType)
VALUE_PERIODS: Final[tuple[ValuePeriod, ...]] = get_args(ValuePeriod)
VALUE_UNITS: Final[tuple[ValueUnit, ...]] = get_args(ValueUnit)

ChoiceT = TypeVar("ChoiceT", bound=str)


def allowed_text(allowed: tuple[str, ...]) -> str:
    """Return the choices as ``'a' | 'b'`` for error messages.

    :param allowed: the allowed values.
    """
    return " | ".join(repr(choice) for choice in allowed)


def check_choice(field: str, value: object, allowed: tuple[ChoiceT, ...]) -> ChoiceT:
    """Return ``value`` if it is one of ``allowed``, else raise ``ClosePayloadError``.

    :param field: the field name used in the error, e.g. ``"call.direction"``.
    :param value: the candidate.
    :param allowed: the allowed values (usually ``get_args`` of a ``Literal``).
    """
    for choice in allowed:
        if value == choice:
            return choice
    raise ClosePayloadError(field, value, allowed_text(allowed))


def mode_status(
    mode: str,
    status: object,
    date_scheduled: object,
    *,
    log: tuple[ChoiceT, ...],
    send: tuple[ChoiceT, ...],
) -> ChoiceT:
    """Return the status of an SMS or email to log or to send, or raise (field ``status``).

    ``log`` requires one of ``log``; ``send`` takes one of ``send``, by default ``outbox``
    (now) or, when ``date_scheduled`` is given, ``scheduled``.

    :param mode: ``"log"`` or ``"send"`` (already checked).
    :param status: the status given, or ``None``.
    :param date_scheduled: when to send, or ``None``.
    :param log: the statuses that record without sending.
    :param send: the statuses that make Close send.
    """
    if mode == "log":
        if status is None:
            raise ClosePayloadError("status", None, allowed_text(log) + " (mode='log')")
        return check_choice("status", status, log)
    if status is None:
        return cast(ChoiceT, "outbox" if date_scheduled is None else "scheduled")
    return check_choice("status", status, send)
