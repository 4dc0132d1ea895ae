"""Operators for tasks: create (at most once under retries) and update (e.g. complete).

XCom: ``{"id", "object", "action"}`` (``created``, ``found_existing`` or ``updated``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from airflow_provider_close.operators._base import (
    CloseCreateOperator,
    CloseLeadOperator,
    CloseObjectResult,
    object_result,
    push_lead_id,
)

if TYPE_CHECKING:
    from airflow_provider_close.client.payloads.enums import TaskType

__all__ = ["CloseCreateTaskOperator", "CloseUpdateTaskOperator"]


class CloseCreateTaskOperator(CloseCreateOperator):
    """Create a task on a lead (a to-do for a user).

    :param lead_id: the lead (``lead_…``) (templated).
    :param text: what to do (templated).
    :param date: due date: a date or an aware datetime, or ISO 8601 text (templated).
    :param assigned_to: the assignee (``user_…``); default: the API key's user (templated).
    :param is_complete: create it already completed (templated).
    :param contact_id: the contact concerned (``cont_…``) (templated).
    :param task_kind: Close's task ``_type``: ``lead`` (default) or ``outgoing_call`` (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "lead_id",
        "text",
        "date",
        "assigned_to",
        "is_complete",
        "contact_id",
        "task_kind",
        "close_conn_id",
    )

    def __init__(
        self,
        *,
        lead_id: str,
        text: str,
        date: date | datetime | str | None = None,
        assigned_to: str | None = None,
        is_complete: bool | str = False,
        contact_id: str | None = None,
        task_kind: TaskType = "lead",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.lead_id = lead_id
        self.text = text
        self.date = date
        self.assigned_to = assigned_to
        self.is_complete = is_complete
        self.contact_id = contact_id
        self.task_kind = task_kind

    def execute(self, context: Context) -> CloseObjectResult:
        """Create the task unless an earlier attempt did; return ``{"id", "object", "action"}``."""
        from airflow_provider_close.client.payloads.task import build_task_payload
        from airflow_provider_close.idempotency.matching import created_since
        from airflow_provider_close.lookups.activities import find_existing_task

        payload = build_task_payload(
            lead_id=self.lead_id,
            text=self.text,
            date=self.date,
            assigned_to=self.assigned_to,
            is_complete=self.is_complete,
            contact_id=self.contact_id,
            task_type=self.task_kind,
        )
        push_lead_id(context, payload["lead_id"])
        since = created_since(context)
        return self.create_at_most_once(
            context,
            create=lambda: self.hook.create_task(payload),
            find_existing=lambda: find_existing_task(
                self.hook.client, payload, created_since=since
            ),
            source="immediate",  # the lead's tasks
            what="task",
        )


class CloseUpdateTaskOperator(CloseLeadOperator):
    """Update a task: complete or reopen it, move its date, reassign it, change its text.

    XCom: ``{"id", "object", "action": "updated"}``.

    :param close_task_id: the Close task (``task_…``); named so to differ from Airflow's
        ``task_id`` (templated).
    :param text: the new text (``lead`` tasks only) (templated).
    :param date: the new due date, a date or an aware datetime (templated).
    :param assigned_to: the new assignee (``user_…``) (templated).
    :param is_complete: ``True`` completes, ``False`` reopens (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "close_task_id",
        "text",
        "date",
        "assigned_to",
        "is_complete",
        "close_conn_id",
    )

    def __init__(
        self,
        *,
        close_task_id: str,
        text: str | None = None,
        date: date | datetime | str | None = None,
        assigned_to: str | None = None,
        is_complete: bool | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.close_task_id = close_task_id
        self.text = text
        self.date = date
        self.assigned_to = assigned_to
        self.is_complete = is_complete

    def execute(self, context: Context) -> CloseObjectResult:
        """Update the task; return ``{"id", "object", "action": "updated"}``."""
        from airflow_provider_close.client.payloads.ids import check_id
        from airflow_provider_close.client.payloads.task import build_task_update

        task_id = check_id("task.close_task_id", self.close_task_id, "task")
        payload = build_task_update(
            text=self.text,
            date=self.date,
            assigned_to=self.assigned_to,
            is_complete=self.is_complete,
        )
        task = self.hook.update_task(task_id, payload)
        push_lead_id(context, task.get("lead_id"))
        return object_result(task, "updated")
