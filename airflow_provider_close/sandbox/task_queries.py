"""Filtering and ordering of ``GET /task/`` (close-api.md §6.8)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.listing import DateBounds, bool_param, date_bounds, value_set
from airflow_provider_close.sandbox.listing import within as within_bounds
from airflow_provider_close.sandbox.models.tasks import task_view
from airflow_provider_close.sandbox.records import Record

__all__ = ["TaskQuery", "task_query"]

_DATE_FIELDS = ("date", "due_date", "date_created", "date_updated")
_ORDERS = ("date", "-date", "date_created", "-date_created")
_VIEWS = ("inbox", "future", "archive")


@dataclass(frozen=True)
class TaskQuery:
    """A validated task list query.

    :param sets: field -> accepted values.
    :param is_complete: completion filter, None for both.
    :param view: ``inbox``/``future``/``archive`` or None.
    :param bounds: date field -> bounds.
    :param order_by: sort field, ``-`` for descending, or None (creation order).
    """

    sets: Mapping[str, set[str]]
    is_complete: bool | None
    view: str | None
    bounds: Mapping[str, DateBounds]
    order_by: str | None

    def matches(self, task: Record, now: datetime) -> bool:
        """Return whether a task passes every filter at time ``now``.

        :param task: the task.
        :param now: the current time (for ``view``).
        """
        if any(task.get(name) not in accepted for name, accepted in self.sets.items()):
            return False
        if self.is_complete is not None and task["is_complete"] != self.is_complete:
            return False
        if self.view is not None and task_view(task, now) != self.view:
            return False
        return all(within_bounds(task.get(name), b) for name, b in self.bounds.items())


def _type_set(params: Mapping[str, str]) -> set[str] | None:
    types = value_set(params, "_type")
    if types is None:
        return {"lead"}
    return None if "all" in types else types


def task_query(params: Mapping[str, str]) -> TaskQuery:
    """Return the query of ``GET /task/`` (lead tasks only unless ``_type`` says otherwise).

    ``view=inbox|future`` overrides ``date__lt`` / ``date__gte``, as in Close.

    :param params: the query parameters.
    :raises BadRequest: bad view, ordering, boolean or date.
    """
    sets = {
        name: values
        for name in ("id", "lead_id", "assigned_to", "contact_id")
        if (values := value_set(params, name)) is not None
    }
    types = _type_set(params)
    if types is not None:
        sets["_type"] = types
    if params.get("date"):
        sets["date"] = {params["date"]}
    view = params.get("view") or None
    if view is not None and view not in _VIEWS:
        raise BadRequest(f"Invalid view: {view!r}.")
    order_by = params.get("_order_by") or None
    if order_by is not None and order_by not in _ORDERS:
        raise BadRequest(f"Ordering by {order_by} is not supported.")
    bounds = {name: date_bounds(params, name) for name in _DATE_FIELDS}
    if view in ("inbox", "future"):
        bounds["date"] = []
    return TaskQuery(sets, bool_param(params, "is_complete"), view, bounds, order_by)
