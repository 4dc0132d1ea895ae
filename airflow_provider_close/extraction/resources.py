"""What the extraction engine needs to know about each Close list resource, in one table.

A resource is *windowed* when Close filters and sorts it by a date field: offset lists with
``<field>__gte`` / ``<field>__lt`` and ``_order_by=<field>`` (close-api.md §5, §6), leads and
contacts through Advanced Filtering's ``moment_range`` and ``sort`` (§9b), events by
``date_updated`` with a cursor (§7). The client walks windowed lists by keyset, so they stay
exact while Close changes between pages. The small configuration lists (users, statuses,
custom fields) are walked once, offset by offset, deduplicated by id.

To add a resource (or a ``date_updated`` variant of one), add a row to ``_TABLE``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from airflow_provider_close.client.resources import ACTIVITY_TYPES, ActivityType

__all__ = [
    "ACTIVITY_TYPES",
    "RESOURCES",
    "ActivityType",
    "Pagination",
    "ResourceSpec",
    "activity_spec",
    "resource_spec",
]

#: How a list is read: ``offset`` (``GET`` with ``_limit``; keyset-walked when windowed),
#: ``cursor`` (``/event/``) or ``search`` (``POST /data/search/``, keyset-walked).
Pagination = Literal["offset", "cursor", "search"]


@dataclass(frozen=True)
class ResourceSpec:
    """How to list one Close resource.

    :param name: stable name used in errors and results, e.g. ``activity.call``.
    :param path: list path relative to the API root, ending with ``/``.
    :param params: query parameters every request carries.
    :param window_field: date field with ``__gte``/``__lt`` filters and ``_order_by`` support,
        or None when Close offers no date filter for the resource.
    :param pagination: ``offset``, ``cursor`` or ``search``.
    :param page_size: ``_limit`` to request; None lets the client pick the largest allowed.
    :param search_type: the Advanced Filtering object type of a ``search`` resource.
    """

    name: str
    path: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    window_field: str | None = None
    pagination: Pagination = "offset"
    page_size: int | None = None
    search_type: str | None = None

    @property
    def windowed(self) -> bool:
        """Whether the resource can be extracted by date window."""
        return self.window_field is not None


def _spec(name: str, path: str, window_field: str | None = None, **params: str) -> ResourceSpec:
    return ResourceSpec(name, path, MappingProxyType(dict(params)), window_field)


_TABLE: tuple[ResourceSpec, ...] = (
    *(_spec(f"activity.{kind}", f"activity/{kind}/", "date_created") for kind in ACTIVITY_TYPES),
    # Custom Activity instances of every type (by type needs lead_id, close-openapi.yml).
    _spec("activity.custom", "activity/custom/", "date_created"),
    _spec("activity", "activity/", "date_created"),
    # Without _type Close lists only "lead" tasks (§6.8).
    _spec("task", "task/", "date_created", _type="all"),
    _spec("opportunity", "opportunity/", "date_created"),
    # Close filters leads and contacts by date only through Advanced Filtering (§9b).
    ResourceSpec(
        "lead", "lead/", window_field="date_created", pagination="search", search_type="lead"
    ),
    ResourceSpec(
        "contact",
        "contact/",
        window_field="date_created",
        pagination="search",
        search_type="contact",
    ),
    _spec("user", "user/"),
    _spec("lead_status", "status/lead/"),
    _spec("opportunity_status", "status/opportunity/"),
    _spec("pipeline", "pipeline/"),
    _spec("custom_activity_type", "custom_activity/"),
    _spec("custom_object_type", "custom_object_type/"),
    *(
        _spec(f"custom_field.{kind}", f"custom_field/{kind}/")
        for kind in ("lead", "contact", "opportunity", "activity")
    ),
    ResourceSpec("event", "event/", window_field="date_updated", pagination="cursor"),
)

#: Every supported list resource by name.
RESOURCES: Mapping[str, ResourceSpec] = MappingProxyType({spec.name: spec for spec in _TABLE})


def resource_spec(name: str) -> ResourceSpec:
    """Return the spec registered under ``name``.

    :param name: e.g. ``activity.call``, ``task``, ``lead``, ``event``.
    :raises ValueError: unknown name (the message lists the known ones).
    """
    try:
        return RESOURCES[name]
    except KeyError:
        known = ", ".join(sorted(RESOURCES))
        raise ValueError(f"unknown Close resource {name!r}; known: {known}") from None


def activity_spec(activity_type: str) -> ResourceSpec:
    """Return the per-type activity spec (``/activity/<type>/``, windowed on ``date_created``).

    :param activity_type: one of ``call``, ``sms``, ``note``, ``email``, ``meeting``.
    :raises ValueError: any other type.
    """
    if activity_type not in ACTIVITY_TYPES:
        raise ValueError(
            f"unknown activity type {activity_type!r}; allowed: {', '.join(ACTIVITY_TYPES)}"
        )
    return RESOURCES[f"activity.{activity_type}"]
