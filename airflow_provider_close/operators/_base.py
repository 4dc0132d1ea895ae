"""The base of the Close operators: the hook, the XCom result convention, retry awareness.

Every resource operator returns (and so pushes to XCom) a :class:`CloseObjectResult`:
``{"id": "<object id>", "object": {...as Close returned it...}, "action": "..."}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any, Literal, TypedDict

from airflow.sdk import BaseOperator, Context

from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.links import LEAD_ID_XCOM_KEY, CloseLeadLink

__all__ = [
    "CloseAction",
    "CloseBaseOperator",
    "CloseLeadOperator",
    "CloseObjectResult",
    "is_retry",
    "object_result",
    "push_lead_id",
]

CloseAction = Literal[
    "created", "found_existing", "updated", "skipped", "fetched", "deleted", "already_deleted"
]


class CloseObjectResult(TypedDict):
    """What the Close operators return (the task's ``return_value`` XCom).

    ``id``: the object's id. ``object``: the object as Close returned it (``None`` after a
    delete). ``action``: ``created``; ``found_existing`` (a retry found the object an
    earlier attempt had created); ``updated``; ``skipped`` (``if_exists="skip"``);
    ``fetched``; ``deleted``; ``already_deleted`` (``missing_ok=True``).
    """

    id: str
    object: dict[str, Any] | None
    action: CloseAction


def object_result(obj: dict[str, Any], action: CloseAction) -> CloseObjectResult:
    """Return the XCom result for an object Close returned.

    :param obj: the object (must carry ``id``).
    :param action: what the operator did.
    """
    return CloseObjectResult(id=str(obj["id"]), object=obj, action=action)


def is_retry(context: Context) -> bool:
    """Return whether this run is an Airflow retry (``try_number > 1``) of the task.

    :param context: the task context.
    """
    ti = context.get("ti")
    try_number = getattr(ti, "try_number", None)
    return isinstance(try_number, int) and try_number > 1


def push_lead_id(context: Context, lead_id: str | None) -> None:
    """Push the lead id the task touched, for the "View in Close" link.

    :param context: the task context.
    :param lead_id: the ``lead_…`` id, or ``None`` (nothing is pushed).
    """
    if lead_id:
        context["ti"].xcom_push(key=LEAD_ID_XCOM_KEY, value=lead_id)


class CloseBaseOperator(BaseOperator):
    """Base of the Close operators: holds the connection id and builds the hook lazily.

    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("close_conn_id",)
    ui_color = "#3d5afe"

    def __init__(self, *, close_conn_id: str = CloseHook.default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.close_conn_id = close_conn_id

    @cached_property
    def hook(self) -> CloseHook:
        """The Close hook (built on first use, never in ``__init__``)."""
        return CloseHook(close_conn_id=self.close_conn_id)


class CloseLeadOperator(CloseBaseOperator):
    """A Close operator that creates or touches a lead, with the "View in Close" link."""

    operator_extra_links = (CloseLeadLink(),)
