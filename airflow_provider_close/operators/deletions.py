"""Operators that delete calls, any activity, tasks and leads; re-runnable with ``missing_ok``.

With ``missing_ok=True`` an id that no longer exists is a success (logged as a warning), so a
cleanup DAG can be re-run. XCom: ``{"id", "object": None, "action"}`` with action ``deleted``
or ``already_deleted``. Deleting a lead cascades in Close to its contacts, activities, tasks
and opportunities, so :class:`CloseDeleteLeadOperator` requires ``acknowledge_cascade=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import Context

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.operators._base import CloseBaseOperator, CloseObjectResult

if TYPE_CHECKING:
    from airflow_provider_close.client.payloads.ids import IdKind
    from airflow_provider_close.client.resources import ActivityType

__all__ = [
    "CloseDeleteActivityOperator",
    "CloseDeleteCallOperator",
    "CloseDeleteLeadOperator",
    "CloseDeleteObjectOperator",
    "CloseDeleteTaskOperator",
]


class CloseDeleteObjectOperator(CloseBaseOperator):
    """Base of the deletes: check the id before any request, delete, tolerate "missing".

    Subclasses set :attr:`id_kind` and :attr:`id_attribute` and implement :meth:`delete`.

    :param missing_ok: succeed (with a warning) when the object no longer exists.
    :param approved: an approval decision (``CloseBulkApprovalOperator``'s XCom; templated).
        Given, the delete is sent only if the change was approved and this task's place among
        the mapped deletes (``map_index``) is within the deletes approved; otherwise it fails
        with nothing sent. See ``operators.approval.approved_deletes``.
    """

    id_kind: ClassVar[IdKind]
    id_attribute: ClassVar[str]

    def __init__(self, *, missing_ok: bool = False, approved: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.missing_ok = missing_ok
        self.approved = approved

    def check_approval(self, context: Context) -> None:
        """Refuse (before any request) a delete the ``approved`` decision does not cover."""
        if self.approved is None:
            return
        from airflow_provider_close.bulk.approval import PlannedChanges, exceeded_approval

        ti = context.get("ti")
        index = getattr(ti, "map_index", -1)
        position = max(int(index if index is not None else -1), 0)
        why = exceeded_approval(self.approved, PlannedChanges(deletes=position + 1))
        if why is not None:
            raise ClosePayloadError("delete.approved", why, "an approval covering this delete")

    def checked_id(self) -> str:
        """Return the rendered id, checked (raises ``ClosePayloadError``)."""
        from airflow_provider_close.client.payloads.ids import check_id

        field = f"delete.{self.id_attribute}"
        return check_id(field, getattr(self, self.id_attribute), self.id_kind)

    def delete(self, object_id: str) -> None:
        """Delete the object. :param object_id: a checked id."""
        raise NotImplementedError

    def execute(self, context: Context) -> CloseObjectResult:
        """Delete the object; return ``{"id", "object": None, "action"}``."""
        from airflow_provider_close.client import CloseNotFoundError

        object_id = self.checked_id()
        self.check_approval(context)
        try:
            self.delete(object_id)
        except CloseNotFoundError:
            if not self.missing_ok:
                raise
            self.log.warning("%s %s does not exist (missing_ok=True)", self.id_kind, object_id)
            return CloseObjectResult(id=object_id, object=None, action="already_deleted")
        self.log.info("Deleted %s %s", self.id_kind, object_id)
        return CloseObjectResult(id=object_id, object=None, action="deleted")


class CloseDeleteActivityOperator(CloseDeleteObjectOperator):
    """Delete an activity of any type.

    :param activity_type: ``call``, ``sms``, ``note``, ``email`` or ``meeting`` (templated).
    :param activity_id: the activity (``acti_…``) (templated).
    :param missing_ok: succeed (with a warning) when it no longer exists.
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("activity_type", "activity_id", "close_conn_id", "approved")
    id_kind: ClassVar[IdKind] = "activity"
    id_attribute: ClassVar[str] = "activity_id"

    def __init__(self, *, activity_type: ActivityType, activity_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activity_type = activity_type
        self.activity_id = activity_id

    def checked_id(self) -> str:
        """Check the activity type, then the id; return the id."""
        from airflow_provider_close.client.payloads.enums import check_choice
        from airflow_provider_close.client.resources import ACTIVITY_TYPES

        check_choice("delete.activity_type", self.activity_type, ACTIVITY_TYPES)
        return super().checked_id()

    def delete(self, object_id: str) -> None:
        """Delete the activity. :param object_id: a checked ``acti_…`` id."""
        from airflow_provider_close.client.payloads.enums import check_choice
        from airflow_provider_close.client.resources import ACTIVITY_TYPES

        kind = check_choice("delete.activity_type", self.activity_type, ACTIVITY_TYPES)
        self.hook.delete_activity(kind, object_id)


class CloseDeleteCallOperator(CloseDeleteActivityOperator):
    """Delete a call.

    :param activity_id: the call (``acti_…``; calls have no ``call_`` prefix) (templated).
    :param missing_ok: succeed (with a warning) when it no longer exists.
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("activity_id", "close_conn_id", "approved")

    def __init__(self, *, activity_id: str, **kwargs: Any) -> None:
        super().__init__(activity_type="call", activity_id=activity_id, **kwargs)


class CloseDeleteTaskOperator(CloseDeleteObjectOperator):
    """Delete a task.

    :param close_task_id: the Close task (``task_…``); named so to differ from Airflow's
        ``task_id`` (templated).
    :param missing_ok: succeed (with a warning) when it no longer exists.
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("close_task_id", "close_conn_id", "approved")
    id_kind: ClassVar[IdKind] = "task"
    id_attribute: ClassVar[str] = "close_task_id"

    def __init__(self, *, close_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.close_task_id = close_task_id

    def delete(self, object_id: str) -> None:
        """Delete the task. :param object_id: a checked ``task_…`` id."""
        self.hook.delete_task(object_id)


class CloseDeleteLeadOperator(CloseDeleteObjectOperator):
    """Delete a lead **and everything on it** (Close cascades the delete).

    Close also deletes the lead's contacts, activities, tasks and opportunities. The operator
    refuses, before any request, unless ``acknowledge_cascade=True``.

    :param lead_id: the lead (``lead_…``) (templated).
    :param acknowledge_cascade: must be ``True``: "I know the lead's contacts, activities,
        tasks and opportunities are deleted too" (not templated).
    :param missing_ok: succeed (with a warning) when it no longer exists.
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("lead_id", "close_conn_id", "approved")
    id_kind: ClassVar[IdKind] = "lead"
    id_attribute: ClassVar[str] = "lead_id"

    def __init__(self, *, lead_id: str, acknowledge_cascade: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lead_id = lead_id
        self.acknowledge_cascade = acknowledge_cascade

    def checked_id(self) -> str:
        """Refuse without ``acknowledge_cascade=True``; return the checked lead id."""
        lead_id = super().checked_id()
        if self.acknowledge_cascade is not True:
            allowed = (
                "True: deleting a lead also deletes its contacts, activities, tasks, opportunities"
            )
            raise ClosePayloadError("delete.acknowledge_cascade", self.acknowledge_cascade, allowed)
        return lead_id

    def delete(self, object_id: str) -> None:
        """Delete the lead (cascading). :param object_id: a checked ``lead_…`` id."""
        self.hook.delete_lead(object_id)
