"""Close resources as data: paths, the largest page each list allows, endpoint groups.

Page sizes come from close-api.md §5 (sizes known to work in production connectors).
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ACTIVITY_TYPES",
    "DEFAULT_MAX_PAGE_SIZE",
    "KEYSET_FIELDS",
    "MAX_PAGE_SIZES",
    "UNPAGED_LISTS",
    "ActivityType",
    "activity_path",
    "endpoint_group",
    "first_segment",
    "max_page_size",
    "normalize_path",
]

ActivityType = Literal["call", "sms", "note", "email", "meeting"]

#: The activity kinds the provider reads and writes (``/activity/<kind>/``).
ACTIVITY_TYPES: tuple[ActivityType, ...] = get_args(ActivityType)

#: Largest ``_limit`` per first path segment.
MAX_PAGE_SIZES: dict[str, int] = {
    "activity": 100,
    "contact": 100,
    "lead": 200,
    "opportunity": 250,
    "task": 1000,
    "user": 1000,
    "custom_field": 1000,
    "event": 50,
}

#: Close's framework default maximum, for every other list.
DEFAULT_MAX_PAGE_SIZE = 100

#: Date fields each list filters (``__gte``/``__lte``) *and* sorts on (``_order_by``), the
#: first being the default order of a walk (close-api.md §5, §6.3, §6.8, §6.9, §9b). Leads and
#: contacts have none: they are walked through Advanced Filtering.
KEYSET_FIELDS: dict[str, tuple[str, ...]] = {
    **{f"activity/{kind}/": ("date_created",) for kind in ACTIVITY_TYPES},
    "activity/custom/": ("date_created",),  # Custom Activity instances (close-openapi.yml)
    "activity/": ("date_created", "activity_at"),
    "task/": ("date_created",),
    "opportunity/": ("date_created", "date_updated"),
}

#: Small configuration lists that document no ``_limit``/``_skip`` (close-openapi.yml) and
#: return everything in one answer (close-api.md §5).
UNPAGED_LISTS: frozenset[str] = frozenset(
    {
        "status/lead/",
        "status/opportunity/",
        "pipeline/",
        # custom activity / object types, and one lead's custom objects (close-openapi.yml)
        "custom_activity/",
        "custom_object_type/",
        "custom_object/",
    }
)

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: First segments whose POSTs are reads (``POST /data/search/``).
_READ_ONLY_POST_SEGMENTS = frozenset({"data"})


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

    :param path: a list path relative to the base URL.
    """
    return MAX_PAGE_SIZES.get(first_segment(path), DEFAULT_MAX_PAGE_SIZE)


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
