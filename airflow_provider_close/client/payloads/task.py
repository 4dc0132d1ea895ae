"""Task payloads: ``POST /task/`` and ``PUT /task/{id}/`` (close-api.md §6.8)."""

from __future__ import annotations

from typing import NotRequired, TypedDict, cast

from pydantic import Field

from airflow_provider_close.client.payloads.enums import TaskType
from airflow_provider_close.client.payloads.types import (
    ContactId,
    DayOrMoment,
    Flag,
    LeadId,
    Payload,
    Text,
    UserId,
    nothing_to_update,
)

__all__ = ["TaskPayload", "TaskUpdate", "build_task_payload", "build_task_update"]


class TaskPayload(TypedDict):
    """The body of ``POST /task/``."""

    _type: TaskType
    lead_id: str
    text: str
    is_complete: bool
    date: NotRequired[str]
    assigned_to: NotRequired[str]
    contact_id: NotRequired[str]


class TaskUpdate(TypedDict, total=False):
    """The body of ``PUT /task/{id}/``: only the fields that change."""

    text: str
    date: str
    assigned_to: str
    is_complete: bool


class _TaskUpdate(Payload):
    text: Text | None = None
    date: DayOrMoment | None = None
    assigned_to: UserId | None = None
    is_complete: Flag | None = None


class _Task(_TaskUpdate):
    task_type: TaskType = Field(serialization_alias="_type")
    lead_id: LeadId
    text: Text
    is_complete: Flag
    contact_id: ContactId | None = None


def build_task_payload(
    *,
    lead_id: object,
    text: object,
    date: object = None,
    assigned_to: object = None,
    is_complete: object = False,
    contact_id: object = None,
    task_type: object = "lead",
) -> TaskPayload:
    """Return the checked body of a task, or raise ``ClosePayloadError``.

    :param lead_id: the lead (``lead_…``).
    :param text: what to do; required, non-empty.
    :param date: due date: a date (``2026-03-10``) or an aware datetime.
    :param assigned_to: the assignee (``user_…``); default: the API key's user.
    :param is_complete: create the task already completed.
    :param contact_id: the contact concerned (``cont_…``).
    :param task_type: ``lead`` (default) or ``outgoing_call``.
    """
    return cast(TaskPayload, _Task.built("task", locals()))


def build_task_update(
    *,
    text: object = None,
    date: object = None,
    assigned_to: object = None,
    is_complete: object = None,
) -> TaskUpdate:
    """Return the checked body of a task update (``None`` = unchanged), or raise.

    Close lets ``text`` change on ``lead`` tasks only; the others apply to every task.

    :param text: the new text.
    :param date: the new due date: a date or an aware datetime.
    :param assigned_to: the new assignee (``user_…``).
    :param is_complete: complete (``True``) or reopen (``False``) the task.
    """
    fields = _TaskUpdate.built("task", locals())
    nothing_to_update("task", fields, allow_empty=False)
    return cast(TaskUpdate, fields)
