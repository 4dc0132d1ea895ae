"""Filtering and ordering of ``/activity/`` and ``/activity/<type>/`` lists (Close's rules)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.listing import DateBounds, date_bounds, value_set, within
from airflow_provider_close.sandbox.records import ACTIVITY_TYPE_NAMES, Record

__all__ = ["ActivityQuery", "generic_activity_query", "typed_activity_query"]

_NEEDS_LEAD = ("user_id", "contact_id", "_type")
_GENERIC_ORDERS = ("date_created", "-date_created", "-activity_at")
_TYPED_ORDERS = ("date_created", "-date_created")


@dataclass(frozen=True)
class ActivityQuery:
    """A validated activity list query.

    :param sets: field -> accepted values (``lead_id``, ``user_id``, ``contact_id``, ``id``,
        ``_type``).
    :param created: ``date_created`` bounds.
    :param happened: ``activity_at`` bounds.
    :param order_by: the sort field, ``-`` for descending.
    """

    sets: Mapping[str, set[str]]
    created: DateBounds
    happened: DateBounds
    order_by: str

    def matches(self, record: Record) -> bool:
        """Return whether an activity passes every filter.

        :param record: the activity.
        """
        for name, accepted in self.sets.items():
            if record.get(name) not in accepted:
                return False
        return within(record.get("date_created"), self.created) and within(
            record.get("activity_at"), self.happened
        )

    def sort_key(self) -> Callable[[Record], str]:
        """Return the key function of :attr:`order_by`."""
        field = self.order_by.lstrip("-")
        return lambda record: str(record.get(field) or "")


def _sets(params: Mapping[str, str], names: tuple[str, ...]) -> dict[str, set[str]]:
    sets: dict[str, set[str]] = {}
    for name in names:
        values = value_set(params, name)
        if values is not None:
            sets[name] = values
    return sets


def _type_names(values: set[str]) -> set[str]:
    return {ACTIVITY_TYPE_NAMES.get(value.lower(), value) for value in values}


def generic_activity_query(params: Mapping[str, str]) -> ActivityQuery:
    """Return the query of ``GET /activity/``, enforcing Close's filter rules.

    ``user_id``, ``contact_id`` and ``_type`` (and their ``__in``) need ``lead_id``;
    ``-activity_at`` ordering needs ``lead_id``; ``activity_at__*`` needs that ordering.

    :param params: the query parameters.
    :raises BadRequest: a combination Close refuses.
    """
    sets = _sets(params, ("lead_id", "user_id", "contact_id", "id", "_type"))
    has_lead = "lead_id" in sets
    for name in _NEEDS_LEAD:
        if name in sets and not has_lead:
            raise BadRequest(f"Filtering by {name} is only supported together with lead_id.")
    order_by = params.get("_order_by") or "-date_created"
    if order_by not in _GENERIC_ORDERS:
        raise BadRequest(f"Ordering by {order_by} is not supported.")
    if order_by == "-activity_at" and not has_lead:
        raise BadRequest("Ordering by -activity_at is only supported together with lead_id.")
    happened = date_bounds(params, "activity_at")
    if happened and order_by != "-activity_at":
        raise BadRequest("activity_at filters are only supported with _order_by=-activity_at.")
    if "_type" in sets:
        sets["_type"] = _type_names(sets["_type"])
    return ActivityQuery(sets, date_bounds(params, "date_created"), happened, order_by)


def typed_activity_query(params: Mapping[str, str], kind: str) -> ActivityQuery:
    """Return the query of ``GET /activity/<kind>/`` (no lead restriction on filters).

    :param params: the query parameters.
    :param kind: the activity slug.
    :raises BadRequest: an unsupported ordering or bad date.
    """
    sets = _sets(params, ("lead_id", "user_id", "contact_id", "id"))
    sets["_type"] = {ACTIVITY_TYPE_NAMES[kind]}
    order_by = params.get("_order_by") or "-date_created"
    if order_by not in _TYPED_ORDERS:
        raise BadRequest(f"Ordering by {order_by} is not supported.")
    return ActivityQuery(sets, date_bounds(params, "date_created"), [], order_by)
