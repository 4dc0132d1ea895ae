"""Operators that read one Close object by id: contacts, opportunities, tasks, users, activities.

Each returns the provider's result convention through XCom, ``{"id": ..., "object": {...},
"action": "fetched"}`` (``None`` when the object does not exist and ``missing_ok=True``), and
pushes the object's lead id for the "View in Close" link. Ids are checked before any request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import Context

from airflow_provider_close.operators._base import (
    CloseLeadOperator,
    CloseObjectResult,
    push_lead_id,
)

if TYPE_CHECKING:
    from airflow_provider_close.client import JSONObject
    from airflow_provider_close.client.payloads.ids import IdKind
    from airflow_provider_close.client.resources import ActivityType

__all__ = [
    "CloseGetActivityOperator",
    "CloseGetContactOperator",
    "CloseGetObjectOperator",
    "CloseGetOpportunityOperator",
    "CloseGetTaskOperator",
    "CloseGetUserOperator",
]


class CloseGetObjectOperator(CloseLeadOperator):
    """Base of the get operators: check the id, read the object, return it through XCom.

    Subclasses set :attr:`object_kind` (the id kind) and implement :meth:`read_object`.

    :param object_id: the object's id (templated).
    :param fields: only return these fields (Close's ``_fields``) (templated).
    :param missing_ok: return ``None`` instead of failing when the object does not exist.
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("object_id", "fields", *CloseLeadOperator.template_fields)
    object_kind: ClassVar[IdKind]

    def __init__(
        self,
        *,
        object_id: str,
        fields: list[str] | None = None,
        missing_ok: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.object_id = object_id
        self.fields = fields
        self.missing_ok = missing_ok

    def checked_id(self) -> str:
        """Return the rendered id, checked for its kind (raises ``ClosePayloadError``)."""
        from airflow_provider_close.client.payloads.ids import check_id

        return check_id(f"{self.object_kind}_id", self.object_id, self.object_kind)

    def read_object(self, object_id: str) -> JSONObject:
        """Return the object with ``object_id`` from Close.

        :param object_id: a checked id.
        """
        raise NotImplementedError

    def execute(self, context: Context) -> CloseObjectResult | None:
        """Read the object; XCom gets ``{"id", "object", "action": "fetched"}`` (or ``None``)."""
        from airflow_provider_close.client import CloseNotFoundError

        object_id = self.checked_id()
        try:
            found = self.read_object(object_id)
        except CloseNotFoundError:
            if not self.missing_ok:
                raise
            self.log.info("No %s %s in Close (missing_ok=True).", self.object_kind, object_id)
            return None
        push_lead_id(context, found.get("lead_id"))
        return CloseObjectResult(id=str(found.get("id", object_id)), object=found, action="fetched")


class CloseGetContactOperator(CloseGetObjectOperator):
    """Read one contact (``cont_…``); XCom gets ``{"id", "object", "action"}``.

    :param object_id: the contact id (templated).
    """

    object_kind = "contact"

    def read_object(self, object_id: str) -> JSONObject:
        """Return the contact. :param object_id: a checked ``cont_…`` id."""
        return self.hook.get_contact(object_id, fields=self.fields)


class CloseGetOpportunityOperator(CloseGetObjectOperator):
    """Read one opportunity (``oppo_…``); XCom gets ``{"id", "object", "action"}``.

    :param object_id: the opportunity id (templated).
    """

    object_kind = "opportunity"

    def read_object(self, object_id: str) -> JSONObject:
        """Return the opportunity. :param object_id: a checked ``oppo_…`` id."""
        return self.hook.get_opportunity(object_id, fields=self.fields)


class CloseGetTaskOperator(CloseGetObjectOperator):
    """Read one task (``task_…``); XCom gets ``{"id", "object", "action"}``.

    System-generated tasks (``noti_…`` ids, e.g. email follow-ups) are not accepted.

    :param object_id: the task id (templated).
    """

    object_kind = "task"

    def read_object(self, object_id: str) -> JSONObject:
        """Return the task. :param object_id: a checked ``task_…`` id."""
        return self.hook.get_task(object_id, fields=self.fields)


class CloseGetUserOperator(CloseGetObjectOperator):
    """Read one user of the organisation (``user_…``); XCom gets ``{"id", "object", "action"}``.

    A user has no lead, so its "View in Close" link stays empty.

    :param object_id: the user id (templated).
    """

    object_kind = "user"

    def read_object(self, object_id: str) -> JSONObject:
        """Return the user. :param object_id: a checked ``user_…`` id."""
        return self.hook.get_user(object_id, fields=self.fields)


class CloseGetActivityOperator(CloseGetObjectOperator):
    """Read one activity of a type (call, sms, note, email, meeting).

    XCom gets ``{"id", "object", "action"}``.

    :param activity_type: ``call``, ``sms``, ``note``, ``email`` or ``meeting`` (templated).
    :param object_id: the activity id, ``acti_…`` whatever the type (templated).
    """

    template_fields: Sequence[str] = (*CloseGetObjectOperator.template_fields, "activity_type")
    object_kind = "activity"

    def __init__(self, *, activity_type: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activity_type = activity_type

    def checked_type(self) -> ActivityType:
        """Return the rendered activity type, checked (raises ``ClosePayloadError``)."""
        from airflow_provider_close.client.payloads.enums import check_choice
        from airflow_provider_close.client.resources import ACTIVITY_TYPES

        return check_choice("activity_type", self.activity_type, ACTIVITY_TYPES)

    def checked_id(self) -> str:
        """Check the activity type, then the ``acti_…`` id; return the id."""
        self.checked_type()
        return super().checked_id()

    def read_object(self, object_id: str) -> JSONObject:
        """Return the activity. :param object_id: a checked ``acti_…`` id."""
        return self.hook.get_activity(self.checked_type(), object_id, fields=self.fields)
