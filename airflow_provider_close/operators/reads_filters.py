"""Which filters each Close list accepts, checked before any request (pure: no Airflow, no I/O).

A list query is a ``listed`` resource of the one registry, ``client/resources.py`` (``lead``,
``activity.call``, ``task``...), plus the filters it declares (close-api.md §6), plus an optional
``[start, end)`` window on the resource's date field. Filter values are checked with the payload
helpers (ids, dates, enums) and turned into the query text Close expects. Close's rule that
``user_id``, ``contact_id`` and ``_type`` only work on ``/activity/`` together with ``lead_id``
(§6.3) is enforced here: a single ``_type`` of call, sms, note, email or meeting is routed to
``/activity/<type>/``, which accepts them; anything else is refused with the way out in the
message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, cast

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.enums import VALUE_PERIODS
from airflow_provider_close.client.resources import RESOURCES, ListFilter, ResourceSpec

if TYPE_CHECKING:
    from airflow_provider_close.client.payloads.ids import IdKind

__all__ = [
    "LIST_RESOURCES",
    "ListQuery",
    "ListResource",
    "list_query",
    "window_bound",
]

#: Turns one filter value into Close's query text: ``(field name for errors, value) -> text``.
Checker = Callable[[str, object], str]

_ACTIVITY_TYPE_NAMES: Final[dict[str, str]] = {
    "Call": "call",
    "SMS": "sms",
    "Note": "note",
    "Email": "email",
    "Meeting": "meeting",
}
#: ``_type`` values of ``/activity/`` (close-api.md §6.3); ``actitype_…`` ids are accepted too.
ACTIVITY_TYPE_FILTERS: Final[tuple[str, ...]] = (
    *_ACTIVITY_TYPE_NAMES,
    "EmailThread",
    "LeadStatusChange",
    "OpportunityStatusChange",
    "TaskCompleted",
    "Created",
    "LeadMerge",
    "WhatsAppMessage",
    "FormSubmission",
    "CustomActivity",
    "Custom",
)
_SLUG = re.compile(r"[a-z][a-z_]*")
_OPS: Final = ("gt", "gte", "lt", "lte")
_NEEDS_LEAD: Final = frozenset({"user_id", "contact_id", "_type"})


def _id(kind: IdKind) -> Checker:
    from airflow_provider_close.client.payloads.ids import check_id

    return lambda field, value: check_id(field, value, kind)


def _many(check: Checker) -> Checker:
    """Return a checker of ``__in`` filters: a list (or comma-separated text) of values."""

    def checked(field: str, value: object) -> str:
        items = value.split(",") if isinstance(value, str) else value
        if isinstance(items, str | bytes) or not isinstance(items, Sequence) or not items:
            raise ClosePayloadError(field, value, "a non-empty list")
        return ",".join(check(f"{field}[{i}]", item) for i, item in enumerate(items))

    return checked


def _choice(allowed: tuple[str, ...]) -> Checker:
    from airflow_provider_close.client.payloads.enums import check_choice

    return lambda field, value: check_choice(field, value, allowed)


def _flag(field: str, value: object) -> str:
    from airflow_provider_close.client.payloads.scalars import check_bool

    return "true" if check_bool(field, value) else "false"


def _text(field: str, value: object) -> str:
    from airflow_provider_close.client.payloads.text import required_text

    return required_text(field, value).strip()


def _slug(field: str, value: object) -> str:
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise ClosePayloadError(field, value, "a lower-case type such as 'lead' or 'all'")
    return value


def _activity_type(field: str, value: object) -> str:
    from airflow_provider_close.client.payloads.enums import check_choice

    if isinstance(value, str) and value.startswith("actitype_"):
        return value
    return check_choice(field, value, ACTIVITY_TYPE_FILTERS)


def _dates(*names: str) -> dict[str, Checker]:
    from airflow_provider_close.client.payloads.dates import iso_date_or_datetime

    return {f"{name}__{op}": iso_date_or_datetime for name in names for op in _OPS}


@dataclass(frozen=True)
class ListResource:
    """A list resource: its registry row's name and the filters Close accepts on it.

    :param spec_name: the registry's resource, e.g. ``activity.call``.
    :param filters: filter name -> checker of its value.
    """

    spec_name: str
    filters: Mapping[str, Checker]


def _checker(declared: ListFilter) -> Checker:
    """Return the checker of one filter the registry declares."""
    of = declared.of
    if declared.kind in ("id", "ids"):
        one = _id(cast("IdKind", of))
        return one if declared.kind == "id" else _many(one)
    if declared.kind in ("choice", "choices"):
        choice = _choice(tuple(of))
        return choice if declared.kind == "choice" else _many(choice)
    named: dict[str, Checker] = {
        "flag": _flag,
        "text": _text,
        "slug": _slug,
        "activity_type": _activity_type,
        "value_period": _choice(VALUE_PERIODS),
    }
    return named[declared.kind]


def _list_resource(spec: ResourceSpec) -> ListResource:
    checkers = {name: _checker(declared) for name, declared in spec.filters.items()}
    return ListResource(spec.name, MappingProxyType({**checkers, **_dates(*spec.date_filters)}))


#: Every list the operators offer, by name (the registry's ``listed`` resources).
LIST_RESOURCES: Final[Mapping[str, ListResource]] = MappingProxyType(
    {spec.name: _list_resource(spec) for spec in RESOURCES.values() if spec.listed}
)


@dataclass(frozen=True)
class ListQuery:
    """A checked list query, ready for the extraction engine.

    :param spec: the resource spec with the filters merged into its parameters.
    :param start: inclusive start of the date window, or None.
    :param end: exclusive end of the date window, or None.
    """

    spec: ResourceSpec
    start: datetime | None
    end: datetime | None


def window_bound(field: str, value: object) -> datetime | None:
    """Return a window bound as an aware UTC datetime (a date means its midnight UTC).

    :param field: the name used in errors (``start`` or ``end``).
    :param value: None, a date, an aware datetime or an ISO 8601 string of either.
    """
    from airflow_provider_close.client.payloads.dates import iso_date_or_datetime
    from airflow_provider_close.client.timestamps import parse_moment

    if value is None:
        return None
    text = iso_date_or_datetime(field, value)
    return parse_moment(text)


def _checked_filters(name: str, resource: ListResource, filters: object) -> dict[str, str]:
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise ClosePayloadError(f"{name}.filters", filters, "a mapping of filter -> value")
    checked: dict[str, str] = {}
    for key, value in filters.items():
        if value is None:
            continue
        check = resource.filters.get(str(key))
        if check is None:
            raise ClosePayloadError(f"{name}.filters", key, _allowed_filters(resource))
        checked[str(key)] = check(f"{name}.filters.{key}", value)
    return checked


def _allowed_filters(resource: ListResource) -> str:
    from airflow_provider_close.client.payloads.enums import allowed_text

    names = tuple(sorted(resource.filters))
    window = RESOURCES[resource.spec_name].window_field
    hint = f"; filter {window} with start/end" if window else ""
    return (allowed_text(names) if names else "no filters") + hint


def _routed(name: str, filters: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Apply Close's ``/activity/`` lead rule: route to a per-type list, or refuse."""
    if name != "activity" or "lead_id" in filters:
        return name, filters
    lead_bound = sorted(_NEEDS_LEAD.intersection(filters))
    if not lead_bound:
        return name, filters
    kind = _ACTIVITY_TYPE_NAMES.get(filters.get("_type", ""))
    if kind is not None:
        return f"activity.{kind}", {k: v for k, v in filters.items() if k != "_type"}
    raise ClosePayloadError(
        f"activity.filters.{lead_bound[0]}",
        filters[lead_bound[0]],
        "only together with lead_id on /activity/ (Close's rule); give lead_id, or list one "
        "type (call, sms, note, email, meeting) whose own list accepts user_id and contact_id",
    )


def _window(
    name: str, spec: ResourceSpec, start: object, end: object
) -> tuple[datetime | None, datetime | None]:
    if spec.window_field is None and (start is not None or end is not None):
        field, value = ("start", start) if start is not None else ("end", end)
        raise ClosePayloadError(
            f"{name}.{field}", value, f"None: Close has no date filter on {name}"
        )
    lower, upper = window_bound(f"{name}.start", start), window_bound(f"{name}.end", end)
    if lower is not None and upper is not None and lower > upper:
        raise ClosePayloadError(f"{name}.end", end, f"not before start ({lower.isoformat()})")
    return lower, upper


def _fields_param(name: str, spec: ResourceSpec, fields: object) -> dict[str, str]:
    """Return ``{"_fields": ...}`` with the id and window field the engine needs, or ``{}``."""
    if fields is None:
        return {}
    if isinstance(fields, str) or not isinstance(fields, Sequence) or not fields:
        raise ClosePayloadError(f"{name}.fields", fields, "a non-empty list of field names")
    wanted = [_text(f"{name}.fields[{i}]", item) for i, item in enumerate(fields)]
    needed = ["id", *([spec.window_field] if spec.window_field else [])]
    return {"_fields": ",".join(dict.fromkeys([*needed, *wanted]))}


def list_query(
    resource: object,
    filters: object = None,
    start: object = None,
    end: object = None,
    fields: object = None,
) -> ListQuery:
    """Return the checked query listing ``resource``, or raise ``ClosePayloadError``.

    :param resource: a name of :data:`LIST_RESOURCES`, e.g. ``opportunity``, ``activity.call``.
    :param filters: filter name -> value (ids, dates, enums, booleans; ``__in`` take lists).
    :param start: inclusive start of the window on the resource's date field (``date_created``).
    :param end: exclusive end of that window.
    :param fields: return only these fields (plus ``id`` and the window field).
    """
    from airflow_provider_close.client.payloads.enums import allowed_text

    if not isinstance(resource, str) or resource not in LIST_RESOURCES:
        raise ClosePayloadError("resource", resource, allowed_text(tuple(LIST_RESOURCES)))
    checked = _checked_filters(resource, LIST_RESOURCES[resource], filters)
    name, params = _routed(resource, checked)
    base = RESOURCES[LIST_RESOURCES[name].spec_name]
    lower, upper = _window(name, base, start, end)
    if "query" in params and (lower is not None or upper is not None):
        field, value = ("start", start) if lower is not None else ("end", end)
        raise ClosePayloadError(
            f"{name}.{field}",
            value,
            "None with query: the lead query search has no date filter (drop query to window "
            "leads through Advanced Filtering)",
        )
    projection = _fields_param(name, base, fields)
    spec = replace(base, params=MappingProxyType({**base.params, **params, **projection}))
    return ListQuery(spec, lower, upper)
