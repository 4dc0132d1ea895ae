"""Task payloads: ``POST /task/`` (close-api.md §6.8)."""

from __future__ import annotations

from typing import NotRequired, TypedDict, cast

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.dates import optional_iso_date_or_datetime
from airflow_provider_close.client.payloads.enums import TASK_TYPES, TaskType, check_choice
from airflow_provider_close.client.payloads.fields import given_fields
from airflow_provider_close.client.payloads.ids import check_id, check_optional_id
from airflow_provider_close.client.payloads.scalars import check_bool, optional_bool
from airflow_provider_close.client.payloads.text import optional_text, required_text

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
    fields = given_fields(
        {
            "_type": check_choice("task.task_type", task_type, TASK_TYPES),
            "lead_id": check_id("task.lead_id", lead_id, "lead"),
            "text": required_text("task.text", text),
            "is_complete": check_bool("task.is_complete", is_complete),
            "date": optional_iso_date_or_datetime("task.date", date),
            "assigned_to": check_optional_id("task.assigned_to", assigned_to, "user"),
            "contact_id": check_optional_id("task.contact_id", contact_id, "contact"),
        }
    )
    return cast(TaskPayload, fields)


class TaskUpdate(TypedDict, total=False):
    """The body of ``PUT /task/{id}/``: only the fields that change."""

    text: str
    date: str
    assigned_to: str
    is_complete: bool


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
    fields = given_fields(
        {
            "text": optional_text("task.text", text),
            "date": optional_iso_date_or_datetime("task.date", date),
            "assigned_to": check_optional_id("task.assigned_to", assigned_to, "user"),
            "is_complete": optional_bool("task.is_complete", is_complete),
        }
    )
    if not fields:
        raise ClosePayloadError("task", None, "at least one field to update")
    return cast(TaskUpdate, fields)
