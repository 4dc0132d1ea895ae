"""Read operators for every Close object: get by id, list to XCom or a file, search leads.

The named list operators are thin: they turn keyword arguments into the filters of the one
generic :class:`~airflow_provider_close.operators.reads_list.CloseListOperator`, which takes
``start``/``end`` (a ``date_created`` window), ``output_path`` and ``max_items`` too. Every
keyword argument is templated (through ``filters``).
"""

from __future__ import annotations

from typing import Any

from airflow_provider_close.operators.reads_get import (
    CloseGetActivityOperator,
    CloseGetContactOperator,
    CloseGetObjectOperator,
    CloseGetOpportunityOperator,
    CloseGetTaskOperator,
    CloseGetUserOperator,
)
from airflow_provider_close.operators.reads_list import CloseListOperator, ListFileResult
from airflow_provider_close.operators.reads_search import CloseSearchLeadsOperator

__all__ = [
    "CloseGetActivityOperator",
    "CloseGetContactOperator",
    "CloseGetObjectOperator",
    "CloseGetOpportunityOperator",
    "CloseGetTaskOperator",
    "CloseGetUserOperator",
    "CloseListActivitiesOperator",
    "CloseListContactsOperator",
    "CloseListCustomFieldsOperator",
    "CloseListLeadStatusesOperator",
    "CloseListLeadsOperator",
    "CloseListNotesOperator",
    "CloseListOperator",
    "CloseListOpportunitiesOperator",
    "CloseListOpportunityStatusesOperator",
    "CloseListTasksOperator",
    "CloseListUsersOperator",
    "CloseSearchLeadsOperator",
    "ListFileResult",
]


def _merged(filters: dict[str, Any] | None, **named: Any) -> dict[str, Any]:
    """Return ``filters`` plus the named filters that were given (named ones win)."""
    return {**(filters or {}), **{k: v for k, v in named.items() if v is not None}}


class CloseListLeadsOperator(CloseListOperator):
    """List leads, optionally matching a search ``query``; XCom gets a list or a file summary.

    :param query: Close's legacy lead search syntax, e.g. ``name:"Acme"`` (templated). Close
        pages it by offset only, so unlike the other lists it is not exact while leads are
        deleted mid-walk (rows are deduplicated); it takes no ``start``/``end``.
    """

    def __init__(
        self, *, query: str | None = None, filters: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(resource="lead", filters=_merged(filters, query=query), **kwargs)


class CloseListContactsOperator(CloseListOperator):
    """List contacts, all or those of one lead; XCom gets a list or a file summary.

    :param lead_id: only this lead's contacts (templated).
    """

    def __init__(
        self, *, lead_id: str | None = None, filters: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(resource="contact", filters=_merged(filters, lead_id=lead_id), **kwargs)


class CloseListOpportunitiesOperator(CloseListOperator):
    """List opportunities; XCom gets a list or a file summary.

    Other filters (``status_id__in``, ``date_won__gte``, ``date_updated__lt``, ``is_stalled``,
    ``value_period``...) go in ``filters``; ``start``/``end`` window ``date_created``.

    :param lead_id: only this lead's opportunities (templated).
    :param user_id: only this user's (templated).
    :param status_id: only in this status (``stat_…``) (templated).
    :param status_type: ``active``, ``won`` or ``lost`` (templated).
    """

    def __init__(
        self,
        *,
        lead_id: str | None = None,
        user_id: str | None = None,
        status_id: str | None = None,
        status_type: str | None = None,
        filters: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        named = _merged(
            filters, lead_id=lead_id, user_id=user_id, status_id=status_id, status_type=status_type
        )
        super().__init__(resource="opportunity", filters=named, **kwargs)


class CloseListTasksOperator(CloseListOperator):
    """List tasks of every type (or one ``task_type``); XCom gets a list or a file summary.

    Due-date ranges go in ``filters`` (``date__lt``, ``due_date__gte``...); ``start``/``end``
    window ``date_created``.

    :param lead_id: only this lead's tasks (templated).
    :param assigned_to: only tasks assigned to this user (templated).
    :param task_type: e.g. ``lead``, ``email_followup``; default every type (templated).
    :param is_complete: only complete (True) or incomplete (False) tasks (templated).
    :param view: ``inbox``, ``future`` or ``archive`` (templated).
    """

    def __init__(
        self,
        *,
        lead_id: str | None = None,
        assigned_to: str | None = None,
        task_type: str | None = None,
        is_complete: bool | str | None = None,
        view: str | None = None,
        filters: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        named = _merged(
            filters,
            lead_id=lead_id,
            assigned_to=assigned_to,
            _type=task_type,
            is_complete=is_complete,
            view=view,
        )
        super().__init__(resource="task", filters=named, **kwargs)


class CloseListActivitiesOperator(CloseListOperator):
    """List activities, of every type or of one; XCom gets a list or a file summary.

    Close accepts ``user_id``/``contact_id`` on the all-types list only with ``lead_id``; give
    ``activity_type`` to filter by them across leads. ``start``/``end`` window ``date_created``.

    :param activity_type: ``call``, ``sms``, ``note``, ``email`` or ``meeting``; default all
        types (templated).
    :param lead_id: only this lead's activities (templated).
    :param user_id: only this user's (templated).
    :param contact_id: only this contact's (templated).
    """

    def __init__(
        self,
        *,
        activity_type: str | None = None,
        lead_id: str | None = None,
        user_id: str | None = None,
        contact_id: str | None = None,
        filters: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        resource = "activity" if activity_type is None else f"activity.{activity_type}"
        named = _merged(filters, lead_id=lead_id, user_id=user_id, contact_id=contact_id)
        super().__init__(resource=resource, filters=named, **kwargs)


class CloseListNotesOperator(CloseListActivitiesOperator):
    """List note activities (of one lead, user or contact); XCom gets a list or a file summary."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(activity_type="note", **kwargs)


class CloseListUsersOperator(CloseListOperator):
    """List the organisation's users; XCom gets a list or a file summary."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(resource="user", **kwargs)


class CloseListLeadStatusesOperator(CloseListOperator):
    """List the organisation's lead statuses; XCom gets a list or a file summary."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(resource="lead_status", **kwargs)


class CloseListOpportunityStatusesOperator(CloseListOperator):
    """List the organisation's opportunity statuses; XCom gets a list or a file summary."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(resource="opportunity_status", **kwargs)


class CloseListCustomFieldsOperator(CloseListOperator):
    """List the custom field definitions of an object type; XCom gets a list or a file summary.

    :param object_type: ``lead``, ``contact``, ``opportunity`` or ``activity`` (templated).
    """

    def __init__(self, *, object_type: str, **kwargs: Any) -> None:
        super().__init__(resource=f"custom_field.{object_type}", **kwargs)
