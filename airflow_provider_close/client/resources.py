"""The one registry of Close list resources, and the path rules every request follows.

Each :class:`ResourceSpec` row says, for one list: its path and fixed query, the kind of id its
objects carry, the largest ``_limit`` Close allows (close-api.md §5), how it is paged, the
date fields it filters and sorts on (the keyset walk's order, §5, §6.3, §6.8, §6.9), the
window the extraction engine cuts it by, the filters the list operators accept, and the
``object_type`` values the event log (§7) uses for its objects. The client (page sizes,
keyset orders, unpaged lists), the extraction engine and the list operators all read it.

A list is *windowed* when Close filters and sorts it by a date field: offset lists with
``<field>__gte`` / ``<field>__lt`` and ``_order_by=<field>``, leads and contacts through
Advanced Filtering's ``moment_range`` and ``sort`` (§9b), events by ``date_updated`` with a
cursor (§7). To add a resource, add a row to ``_TABLE``. No Airflow, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

__all__ = [
    "ACTIVITY_TYPES",
    "DEFAULT_MAX_PAGE_SIZE",
    "RESOURCES",
    "ActivityType",
    "FilterKind",
    "ListFilter",
    "Pagination",
    "ResourceSpec",
    "activity_path",
    "activity_spec",
    "endpoint_group",
    "first_segment",
    "is_unpaged",
    "keyset_fields",
    "max_page_size",
    "normalize_path",
    "resource_spec",
]

ActivityType = Literal["call", "sms", "note", "email", "meeting"]

#: The activity kinds the provider reads and writes (``/activity/<kind>/``).
ACTIVITY_TYPES: tuple[ActivityType, ...] = get_args(ActivityType)

#: Close's framework default maximum ``_limit``, for every list without its own.
DEFAULT_MAX_PAGE_SIZE = 100

#: How a list is read: ``offset`` (``GET`` with ``_limit``; keyset-walked when windowed),
#: ``cursor`` (``/event/``) or ``search`` (``POST /data/search/``, keyset-walked).
Pagination = Literal["offset", "cursor", "search"]

#: The value a list filter takes: an id (``of``: its kind) or a list of ids, one or several of
#: the values in ``of``, a boolean, text, a lower-case slug, an ``/activity/`` ``_type`` or an
#: opportunity ``value_period``. Date filters are declared by ``ResourceSpec.date_filters``.
FilterKind = Literal[
    "id", "ids", "choice", "choices", "flag", "text", "slug", "activity_type", "value_period"
]


@dataclass(frozen=True)
class ListFilter:
    """One query filter a Close list accepts (close-api.md §6).

    :param kind: what value it takes.
    :param of: the id kind (``id``/``ids``) or the allowed values (``choice``/``choices``).
    """

    kind: FilterKind
    of: str | tuple[str, ...] = ()


@dataclass(frozen=True)
class ResourceSpec:
    """One Close list resource.

    :param name: stable name used in errors and results, e.g. ``activity.call``.
    :param path: list path relative to the API root, ending with ``/``.
    :param params: query parameters every request carries.
    :param window_field: date field the extraction engine windows by, or None when Close offers
        no date filter for the resource.
    :param pagination: ``offset``, ``cursor`` or ``search``.
    :param page_size: ``_limit`` to request; None lets the client pick the largest allowed.
    :param search_type: the Advanced Filtering object type of a ``search`` resource.
    :param id_kind: the kind of id its objects carry (``lead`` -> ``lead_…``), a key of
        ``client.payloads.ids.ID_PREFIXES``.
    :param max_limit: the largest ``_limit`` Close allows on ``path``.
    :param order_fields: date fields ``path`` both filters (``__gte``/``__lt``) and sorts on
        (``_order_by``), the first being the default order of a keyset walk.
    :param unpaged: Close documents no ``_limit``/``_skip``: one answer holds everything.
    :param date_filters: further date fields with ``__gt``/``__gte``/``__lt``/``__lte``
        filters (the window field's are set through ``start``/``end``).
    :param filters: the other filters the list operators accept, by name.
    :param listed: offered by the list operators (``CloseListOperator``).
    :param event_types: the event log's ``object_type`` values for its objects.
    """

    name: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    window_field: str | None = None
    pagination: Pagination = "offset"
    page_size: int | None = None
    search_type: str | None = None
    id_kind: str | None = None
    max_limit: int = DEFAULT_MAX_PAGE_SIZE
    order_fields: tuple[str, ...] = ()
    unpaged: bool = False
    date_filters: tuple[str, ...] = ()
    filters: Mapping[str, ListFilter] = field(default_factory=dict)
    listed: bool = False
    event_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        object.__setattr__(self, "filters", MappingProxyType(dict(self.filters)))

    @property
    def windowed(self) -> bool:
        """Whether the resource can be extracted by date window."""
        return self.window_field is not None


_LEAD = {"lead_id": ListFilter("id", "lead")}
_PEOPLE = {**_LEAD, "user_id": ListFilter("id", "user"), "contact_id": ListFilter("id", "contact")}
_STATUS_TYPES = ("active", "won", "lost")
#: Task ``_type`` values Close logs as ``task.<type>`` (close-api.md §2, §7).
_TASK_TYPES = (
    *("lead", "outgoing_call", "incoming_email", "email_followup", "missed_call"),
    *("answered_detached_call", "voicemail", "opportunity_due", "incoming_sms"),
)
_ACTIVITY: dict[str, Any] = {
    "window_field": "date_created",
    "id_kind": "activity",
    "order_fields": ("date_created",),
}
_SEARCHED: dict[str, Any] = {"window_field": "date_created", "pagination": "search"}

_TABLE: tuple[ResourceSpec, ...] = (
    # Close filters leads and contacts by date only through Advanced Filtering (§9b); the
    # legacy lead ``query`` list pages /lead/ by offset (its _limit is /lead/'s).
    ResourceSpec(
        "lead",
        "lead/",
        **_SEARCHED,
        search_type="lead",
        id_kind="lead",
        max_limit=200,
        filters={"query": ListFilter("text")},
        listed=True,
        event_types=("lead",),
    ),
    ResourceSpec(
        "contact",
        "contact/",
        **_SEARCHED,
        search_type="contact",
        id_kind="contact",
        filters=_LEAD,
        listed=True,
        event_types=("contact",),
    ),
    # Without _type Close lists only "lead" tasks (§6.8).
    ResourceSpec(
        "task",
        "task/",
        params={"_type": "all"},
        window_field="date_created",
        id_kind="task",
        max_limit=1000,
        order_fields=("date_created",),
        date_filters=("date", "due_date", "date_updated"),
        filters={
            **_LEAD,
            "assigned_to": ListFilter("id", "user"),
            "is_complete": ListFilter("flag"),
            "_type": ListFilter("slug"),
            "view": ListFilter("choice", ("inbox", "future", "archive")),
        },
        listed=True,
        event_types=tuple(f"task.{kind}" for kind in _TASK_TYPES),
    ),
    ResourceSpec(
        "opportunity",
        "opportunity/",
        window_field="date_created",
        id_kind="opportunity",
        max_limit=250,
        order_fields=("date_created", "date_updated"),
        date_filters=("date_won", "date_updated"),
        filters={
            **_LEAD,
            "user_id": ListFilter("id", "user"),
            "user_id__in": ListFilter("ids", "user"),
            "status_id": ListFilter("id", "status"),
            "status_id__in": ListFilter("ids", "status"),
            "status_type": ListFilter("choice", _STATUS_TYPES),
            "status_type__in": ListFilter("choices", _STATUS_TYPES),
            "status_label": ListFilter("text"),
            "value_period": ListFilter("value_period"),
            "is_stalled": ListFilter("flag"),
        },
        listed=True,
        event_types=("opportunity",),
    ),
    ResourceSpec(
        "activity",
        "activity/",
        **{**_ACTIVITY, "order_fields": ("date_created", "activity_at")},
        filters={**_PEOPLE, "_type": ListFilter("activity_type")},
        listed=True,
    ),
    *(
        ResourceSpec(
            f"activity.{kind}",
            f"activity/{kind}/",
            **_ACTIVITY,
            filters=_PEOPLE,
            listed=True,
            event_types=(f"activity.{kind}",),
        )
        for kind in ACTIVITY_TYPES
    ),
    # Custom Activity instances of every type (by type needs lead_id, close-openapi.yml).
    ResourceSpec(
        "activity.custom",
        "activity/custom/",
        **_ACTIVITY,
        event_types=("activity.custom_activity",),
    ),
    ResourceSpec("user", "user/", id_kind="user", max_limit=1000, listed=True),
    ResourceSpec("lead_status", "status/lead/", id_kind="status", unpaged=True, listed=True),
    ResourceSpec(
        "opportunity_status", "status/opportunity/", id_kind="status", unpaged=True, listed=True
    ),
    ResourceSpec("pipeline", "pipeline/", id_kind="pipeline", unpaged=True),
    # Custom activity / object types, and one lead's custom objects (lead_id required: no
    # org-wide list, no date filter) (close-openapi.yml).
    ResourceSpec("custom_activity_type", "custom_activity/", unpaged=True),
    ResourceSpec("custom_object_type", "custom_object_type/", unpaged=True),
    ResourceSpec("custom_object", "custom_object/", unpaged=True, event_types=("custom_object",)),
    *(
        ResourceSpec(
            f"custom_field.{kind}",
            f"custom_field/{kind}/",
            id_kind="custom_field",
            max_limit=1000,
            listed=True,
        )
        for kind in ("lead", "contact", "opportunity", "activity")
    ),
    ResourceSpec("event", "event/", window_field="date_updated", pagination="cursor", max_limit=50),
)

#: Every list resource by name.
RESOURCES: Mapping[str, ResourceSpec] = MappingProxyType({spec.name: spec for spec in _TABLE})
_BY_PATH: Mapping[str, ResourceSpec] = MappingProxyType({spec.path: spec for spec in _TABLE})

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: First segments whose POSTs are reads (``POST /data/search/``).
_READ_ONLY_POST_SEGMENTS = frozenset({"data"})


def resource_spec(name: str) -> ResourceSpec:
    """Return the resource registered under ``name``.

    :param name: e.g. ``activity.call``, ``task``, ``lead``, ``event``.
    :raises ValueError: unknown name (the message lists the known ones).
    """
    try:
        return RESOURCES[name]
    except KeyError:
        known = ", ".join(sorted(RESOURCES))
        raise ValueError(f"unknown Close resource {name!r}; known: {known}") from None


def activity_spec(activity_type: str) -> ResourceSpec:
    """Return the per-type activity resource (``/activity/<type>/``, windowed on ``date_created``).

    :param activity_type: one of ``call``, ``sms``, ``note``, ``email``, ``meeting``.
    :raises ValueError: any other type.
    """
    if activity_type not in ACTIVITY_TYPES:
        raise ValueError(
            f"unknown activity type {activity_type!r}; allowed: {', '.join(ACTIVITY_TYPES)}"
        )
    return RESOURCES[f"activity.{activity_type}"]


def normalize_path(path: str) -> str:
    """Return ``path`` relative to the API base URL, without a leading and with a trailing ``/``.

    :param path: e.g. ``lead``, ``/lead/lead_x``, ``lead/lead_x/``.
    """
    stripped = path.strip().lstrip("/")
    return stripped if stripped.endswith("/") else stripped + "/"


def first_segment(path: str) -> str:
    """Return the first segment of a path (``lead`` for ``lead/lead_x/``).

    :param path: a path relative to the base URL.
    """
    return normalize_path(path).split("/", 1)[0]


def max_page_size(path: str) -> int:
    """Return the largest page Close allows for the list at ``path``.

    A row whose path is a prefix of ``path`` says (rows nested in another's path, such as
    ``activity/call/`` in ``activity/``, share its limit); any other list (``data/search/``
    included) has Close's default.

    :param path: a list path relative to the base URL.
    """
    wanted = normalize_path(path)
    limits = (spec.max_limit for spec in _TABLE if wanted.startswith(spec.path))
    return next(limits, DEFAULT_MAX_PAGE_SIZE)


def keyset_fields(path: str) -> tuple[str, ...]:
    """Return the date fields the list at ``path`` filters and sorts on (default order first).

    :param path: a list path; ``()`` for a list without them (or an unknown path).
    """
    spec = _BY_PATH.get(normalize_path(path))
    return spec.order_fields if spec else ()


def is_unpaged(path: str) -> bool:
    """Return whether Close answers the list at ``path`` whole (no ``_limit``/``_skip``).

    :param path: a list path relative to the base URL.
    """
    spec = _BY_PATH.get(normalize_path(path))
    return spec is not None and spec.unpaged


def activity_path(kind: ActivityType, activity_id: str | None = None) -> str:
    """Return ``activity/<kind>/`` or ``activity/<kind>/<id>/``.

    :param kind: one of :data:`ACTIVITY_TYPES`.
    :param activity_id: an ``acti_…`` id, or ``None`` for the list path.
    """
    if kind not in ACTIVITY_TYPES:
        raise ValueError(f"unknown activity type {kind!r}; expected one of {ACTIVITY_TYPES}")
    return f"activity/{kind}/" + (f"{activity_id}/" if activity_id else "")


def endpoint_group(method: str, path: str) -> str:
    """Return the rate-limit group key of a request: ``read:lead``, ``write:activity``...

    Close limits per endpoint group (path + method family); this approximation keeps one
    reading per (read|write, first path segment).

    :param method: HTTP method.
    :param path: path relative to the base URL.
    """
    segment = first_segment(path)
    verb = method.upper()
    is_read = verb in _READ_METHODS or (verb == "POST" and segment in _READ_ONLY_POST_SEGMENTS)
    return f"{'read' if is_read else 'write'}:{segment}"
