"""Which activities the new-activity sensor looks for, and the requests that find them (pure).

Close's rules (close-api.md §6.3): per-type endpoints (``/activity/call/``...) accept
``lead_id``, ``user_id``, ``contact_id`` and ``date_created__*`` without restriction; on
``/activity/``, ``user_id``, ``contact_id`` and ``_type`` only work together with ``lead_id``.
So type filters always go to the per-type endpoints, and ``/activity/`` is used only for
"any type" queries it can answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from airflow_provider_close.client.resources import ACTIVITY_TYPES, ActivityType
from airflow_provider_close.client.timestamps import format_moment

__all__ = [
    "ACTIVITY_FIELDS",
    "DEFAULT_LATE_LISTING",
    "ActivityFilter",
    "ActivityQuery",
    "SensorWindow",
    "activity_queries",
    "activity_type_names",
    "is_templated",
]

#: How far before the newest counted activity later polls re-read (see ``activity_count``).
DEFAULT_LATE_LISTING = timedelta(minutes=5)

#: The only fields the sensor needs from each activity.
ACTIVITY_FIELDS = ("id", "_type", "date_created", "lead_id", "user_id", "contact_id")

_ID_PREFIXES = {"lead_id": "lead_", "user_id": "user_", "contact_id": "cont_"}


@dataclass(frozen=True)
class ActivityFilter:
    """What counts as a matching activity; validated on construction, before any request.

    :param activity_types: per-type endpoints to watch; empty means every activity type.
    :param lead_id: only activities of this lead (``lead_…``).
    :param user_id: only activities of this user (``user_…``).
    :param contact_id: only activities with this contact (``cont_…``).
    :raises ValueError: unknown type, malformed id, or a combination Close cannot answer.
    """

    activity_types: tuple[ActivityType, ...] = ()
    lead_id: str | None = None
    user_id: str | None = None
    contact_id: str | None = None

    def __post_init__(self) -> None:
        unknown = [t for t in self.activity_types if t not in ACTIVITY_TYPES]
        if unknown:
            raise ValueError(
                f"unknown activity type(s) {unknown}; allowed: {', '.join(ACTIVITY_TYPES)}"
            )
        for name, value in self.id_filters().items():
            prefix = _ID_PREFIXES[name]
            if not value.startswith(prefix) or len(value) <= len(prefix):
                raise ValueError(
                    f"{name} must be a Close id starting with {prefix!r}, got {value!r}"
                )
        if not self.activity_types and not self.lead_id and (self.user_id or self.contact_id):
            raise ValueError(
                "Close's /activity/ accepts user_id/contact_id only together with lead_id; "
                "set lead_id, or set activity_types (e.g. all of "
                f"{list(ACTIVITY_TYPES)}) to use the per-type endpoints"
            )

    @classmethod
    def of(
        cls,
        activity_types: str | Iterable[str] | None = None,
        lead_id: str | None = None,
        user_id: str | None = None,
        contact_id: str | None = None,
    ) -> ActivityFilter:
        """Return a validated filter from loose inputs (types deduplicated and sorted).

        :param activity_types: e.g. ``["call", "sms"]`` or ``"call,sms"``; None or empty for
            every type.
        :param lead_id: ``lead_…`` or None/empty.
        :param user_id: ``user_…`` or None/empty.
        :param contact_id: ``cont_…`` or None/empty.
        """
        types = tuple(sorted(set(activity_type_names(activity_types)), key=_type_rank))
        return cls(types, lead_id or None, user_id or None, contact_id or None)  # type: ignore[arg-type]

    def id_filters(self) -> dict[str, str]:
        """Return the id filters that are set, by Close parameter name."""
        found = {"lead_id": self.lead_id, "user_id": self.user_id, "contact_id": self.contact_id}
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True)
class SensorWindow:
    """The creation-date range watched: from the watermark up to an optional bound.

    :param watermark: lower bound (aware).
    :param upper_bound: exclusive upper bound (aware), or None for "up to now".
    :param include_watermark: True: ``date_created >= watermark`` (consecutive data
        intervals partition activities exactly); False: strictly after it (for chaining the
        returned watermark).
    """

    watermark: datetime
    upper_bound: datetime | None = None
    include_watermark: bool = True

    def __post_init__(self) -> None:
        for bound in (self.watermark, self.upper_bound):
            if bound is not None and bound.tzinfo is None:
                raise ValueError(f"sensor bounds must be timezone-aware, got {bound!r}")
        if self.upper_bound is not None and self.upper_bound < self.watermark:
            raise ValueError(f"upper bound {self.upper_bound} is before watermark {self.watermark}")

    def contains(self, moment: datetime) -> bool:
        """Return whether ``moment`` is inside the window.

        :param moment: an aware datetime.
        """
        above = moment >= self.watermark if self.include_watermark else moment > self.watermark
        return above and (self.upper_bound is None or moment < self.upper_bound)

    def params(self) -> dict[str, str]:
        """Return the ``date_created__*`` parameters of the window."""
        op = "gte" if self.include_watermark else "gt"
        found = {f"date_created__{op}": format_moment(self.watermark)}
        if self.upper_bound is not None:
            found["date_created__lt"] = format_moment(self.upper_bound)
        return found


class ActivityQuery(TypedDict):
    """One list request of the plan: a path and its query parameters."""

    path: str
    params: dict[str, str]


def activity_queries(activity_filter: ActivityFilter, window: SensorWindow) -> list[ActivityQuery]:
    """Return the list requests that find every activity matching the filter in the window.

    :param activity_filter: a validated filter.
    :param window: the creation-date window.
    """
    base: dict[str, str] = {
        **activity_filter.id_filters(),
        **window.params(),
        "_order_by": "date_created",
        "_fields": ",".join(ACTIVITY_FIELDS),
    }
    if not activity_filter.activity_types:
        return [ActivityQuery(path="activity/", params=base)]
    return [
        ActivityQuery(path=f"activity/{kind}/", params=dict(base))
        for kind in activity_filter.activity_types
    ]


def activity_type_names(value: str | Iterable[str] | None) -> list[str]:
    """Return activity type names from a list or a comma-separated string (as templates render).

    :param value: e.g. ``["call", "sms"]``, ``"call, sms"``, None.
    """
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(item).strip() for item in items if str(item).strip()]


def is_templated(*values: object) -> bool:
    """Return whether any value (or list item) still holds a Jinja expression.

    :param values: operator arguments before rendering.
    """
    for value in values:
        items = value if isinstance(value, list | tuple) else [value]
        if any(isinstance(item, str) and "{{" in item for item in items):
            return True
    return False


def _type_rank(kind: str) -> tuple[int, str]:
    order: Mapping[str, int] = {t: i for i, t in enumerate(ACTIVITY_TYPES)}
    return order.get(kind, len(order)), kind
