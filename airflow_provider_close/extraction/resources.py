"""What the extraction engine needs to know about each Close list resource, in one table.

A resource is *windowed* when Close filters it with ``<field>__gte`` / ``<field>__lt`` and sorts
it with ``_order_by=<field>`` (close-api.md §5, §6); the engine then walks half-open date
windows in ascending order and splits them before Close's maximum ``_skip``. Other resources
are walked once, offset by offset (or by cursor for events).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from airflow_provider_close.client.resources import ACTIVITY_TYPES, ActivityType

__all__ = [
    "ACTIVITY_TYPES",
    "DEFAULT_MAX_SKIP",
    "RESOURCES",
    "ActivityType",
    "Pagination",
    "ResourceSpec",
    "activity_spec",
    "resource_spec",
]

#: How a list is paged: ``offset`` (``_skip``/``_limit``) or ``cursor`` (``/event/``).
Pagination = Literal["offset", "cursor"]

#: Close's documented maximum ``_skip`` (seen on ``/activity/email/``); smaller values are
#: learned from the max-skip error at run time.
DEFAULT_MAX_SKIP = 250_000


@dataclass(frozen=True)
class ResourceSpec:
    """How to list one Close resource.

    :param name: stable name used in errors and results, e.g. ``activity.call``.
    :param path: list path relative to the API root, ending with ``/``.
    :param params: query parameters every request carries.
    :param window_field: date field with ``__gte``/``__lt`` filters and ``_order_by`` support,
        or None when Close offers no date filter for the resource.
    :param pagination: ``offset`` or ``cursor``.
    :param page_size: ``_limit`` to request; None lets the client pick the largest allowed.
    :param max_skip: the largest ``_skip`` Close is assumed to accept before a split.
    """

    name: str
    path: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    window_field: str | None = None
    pagination: Pagination = "offset"
    page_size: int | None = None
    max_skip: int = DEFAULT_MAX_SKIP

    @property
    def windowed(self) -> bool:
        """Whether the resource can be extracted by date window."""
        return self.window_field is not None


def _spec(name: str, path: str, window_field: str | None = None, **params: str) -> ResourceSpec:
    return ResourceSpec(name, path, MappingProxyType(dict(params)), window_field)


_TABLE: tuple[ResourceSpec, ...] = (
    *(_spec(f"activity.{kind}", f"activity/{kind}/", "date_created") for kind in ACTIVITY_TYPES),
    _spec("activity", "activity/", "date_created"),
    # Without _type Close lists only "lead" tasks (§6.8).
    _spec("task", "task/", "date_created", _type="all"),
    _spec("opportunity", "opportunity/", "date_created"),
    _spec("lead", "lead/"),
    _spec("contact", "contact/"),
    _spec("user", "user/"),
    _spec("lead_status", "status/lead/"),
    _spec("opportunity_status", "status/opportunity/"),
    _spec("pipeline", "pipeline/"),
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
