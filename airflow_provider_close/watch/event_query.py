"""Which Close events a watcher looks for, and the ``/event/`` requests that find them (pure).

Close's rules (close-api.md §7): ``GET /event/`` accepts only some combinations of
``object_type``, ``object_id``, ``action``, ``lead_id``, ``user_id`` and ``request_id``
(``date_updated__*`` may be added to any), one value per filter. A filter watching several
object types or actions therefore becomes one request per (object type, action) pair, each a
combination Close accepts; an :class:`EventFilter` that would need a refused combination is
rejected on construction, naming the combinations Close allows.

Shared by the events sensor (:mod:`airflow_provider_close.sensors.events`) and the asset
watcher trigger (:mod:`airflow_provider_close.triggers.close_events`); no Airflow imports.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from airflow_provider_close.client.timestamps import format_moment

__all__ = [
    "ALLOWED_EVENT_FILTERS",
    "EventFilter",
    "event_queries",
    "event_query_params",
]

#: ``GET /event/`` filter combinations Close accepts (close-api.md §7, "Only these filter
#: combinations are allowed"); ``date_updated__*`` may be added to any of them.
ALLOWED_EVENT_FILTERS: tuple[frozenset[str], ...] = tuple(
    frozenset(names)
    for names in (
        ("object_type", "object_id"),
        ("object_type", "action"),
        ("object_id", "action"),
        ("lead_id", "object_type"),
        ("lead_id", "object_type", "action"),
        ("lead_id", "user_id", "object_type"),
        ("lead_id", "user_id", "object_type", "action"),
        ("lead_id", "user_id"),
        ("user_id", "object_id"),
        ("user_id", "object_id", "action"),
        ("user_id", "object_type"),
        ("user_id", "object_type", "action"),
        ("lead_id",),
        ("user_id",),
        ("request_id",),
    )
)

_ID_PREFIXES = {"lead_id": "lead_", "user_id": "user_"}


def _allowed_text() -> str:
    return "; ".join("+".join(sorted(names)) for names in ALLOWED_EVENT_FILTERS)


def _names(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(sorted({str(item).strip() for item in items if str(item).strip()}))


@dataclass(frozen=True)
class EventFilter:
    """Which events count; validated on construction, before any request.

    Server-side (sent to ``/event/``): ``object_types``, ``actions``, ``lead_id``,
    ``user_id``. Client-side (Close has no such filter): ``changed_fields`` (the event changed at
    least one of them) and ``data_equals`` (after the change, each named field of the event's
    ``data`` holds one of the listed values).

    :param object_types: e.g. ``("opportunity",)``, ``("activity.call",)``; empty is allowed
        only with ``lead_id`` or ``user_id``.
    :param actions: e.g. ``("created",)``, ``("updated",)``; empty for every action.
    :param lead_id: only this lead's events (``lead_…``; includes its contacts, activities...).
    :param user_id: only this user's events (``user_…``).
    :param changed_fields: the event must list at least one of these in ``changed_fields``.
    :param data_equals: field name to allowed values, checked on the event's ``data``.
    :raises ValueError: a malformed id, an empty name, or a combination Close refuses.
    """

    object_types: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    lead_id: str | None = None
    user_id: str | None = None
    changed_fields: tuple[str, ...] = ()
    data_equals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in self.id_filters().items():
            prefix = _ID_PREFIXES[name]
            if not value.startswith(prefix) or len(value) <= len(prefix):
                raise ValueError(
                    f"{name} must be a Close id starting with {prefix!r}, got {value!r}"
                )
        for name, values in self.data_equals.items():
            if not name or not values:
                raise ValueError(
                    f"data_equals needs a field name and at least one value, got {name!r}: "
                    f"{list(values)!r}"
                )
        for params in event_queries(self, floor=None):
            used = frozenset(key for key in params if not key.startswith("date_updated"))
            if used not in ALLOWED_EVENT_FILTERS:
                raise ValueError(
                    "Close's /event/ does not accept the filter combination "
                    f"{'+'.join(sorted(used)) or '(none)'}; allowed combinations: "
                    f"{_allowed_text()}. Set object_types together with actions, lead_id "
                    "or user_id."
                )

    @classmethod
    def of(
        cls,
        object_types: str | Iterable[str] | None = None,
        actions: str | Iterable[str] | None = None,
        *,
        lead_id: str | None = None,
        user_id: str | None = None,
        changed_fields: str | Iterable[str] | None = None,
        data_equals: Mapping[str, str | Iterable[str]] | None = None,
    ) -> EventFilter:
        """Return a validated filter from loose inputs (lists or comma-separated strings).

        :param object_types: e.g. ``"opportunity"`` or ``["lead", "contact"]``.
        :param actions: e.g. ``"updated"`` or ``["created", "updated"]``.
        :param lead_id: ``lead_…`` or None/empty.
        :param user_id: ``user_…`` or None/empty.
        :param changed_fields: e.g. ``"status_id"``.
        :param data_equals: e.g. ``{"status_type": "won"}`` or ``{"status_type": ["won"]}``.
        """
        equals = {
            str(name): tuple(sorted({value} if isinstance(value, str) else set(value)))
            for name, value in (data_equals or {}).items()
        }
        return cls(
            _names(object_types),
            _names(actions),
            lead_id or None,
            user_id or None,
            _names(changed_fields),
            dict(sorted(equals.items())),
        )

    def id_filters(self) -> dict[str, str]:
        """Return the id filters that are set, by Close parameter name."""
        found = {"lead_id": self.lead_id, "user_id": self.user_id}
        return {name: value for name, value in found.items() if value}

    def server_side(self) -> EventFilter:
        """Return the part Close filters on (what one ``/event/`` query plan lists)."""
        return EventFilter(self.object_types, self.actions, self.lead_id, self.user_id)

    def as_kwargs(self) -> dict[str, object]:
        """Return the filter as JSON-safe keyword arguments of :meth:`of` (for trigger kwargs)."""
        return {
            "object_types": list(self.object_types),
            "actions": list(self.actions),
            "lead_id": self.lead_id,
            "user_id": self.user_id,
            "changed_fields": list(self.changed_fields),
            "data_equals": {name: list(values) for name, values in self.data_equals.items()},
        }

    def digest(self) -> str:
        """Return a short stable digest of the filter (names persisted watcher state)."""
        text = json.dumps(self.as_kwargs(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def event_queries(
    event_filter: EventFilter, floor: datetime | None, ceiling: datetime | None = None
) -> list[dict[str, str]]:
    """Return the ``/event/`` query parameters that together find every matching event.

    One set per (object type, action) pair; each carries ``date_updated__gte`` when ``floor``
    is given and ``date_updated__lt`` when ``ceiling`` is.

    :param event_filter: what counts.
    :param floor: oldest ``date_updated`` to list (aware), or None for the whole log.
    :param ceiling: exclusive upper bound on ``date_updated`` (aware), or None.
    """
    types: list[str | None] = list(event_filter.object_types) or [None]
    actions: list[str | None] = list(event_filter.actions) or [None]
    queries = [
        event_query_params(event_filter, object_type, action, floor)
        for object_type, action in itertools.product(types, actions)
    ]
    if ceiling is not None:
        for params in queries:
            params["date_updated__lt"] = format_moment(ceiling)
    return queries


def event_query_params(
    event_filter: EventFilter, object_type: str | None, action: str | None, floor: datetime | None
) -> dict[str, str]:
    """Return one request's parameters: the filter's ids, one type, one action, the floor.

    :param event_filter: supplies ``lead_id``/``user_id``.
    :param object_type: one object type, or None.
    :param action: one action, or None.
    :param floor: oldest ``date_updated`` (aware), or None.
    """
    params: dict[str, str] = dict(event_filter.id_filters())
    if object_type:
        params["object_type"] = object_type
    if action:
        params["action"] = action
    if floor is not None:
        params["date_updated__gte"] = format_moment(floor)
    return params
