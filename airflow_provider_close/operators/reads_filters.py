"""Which filters each Close list accepts, checked before any request (pure: no Airflow, no I/O).

A list query is a ``listed`` resource of the one registry, ``client/resources.py`` (``lead``,
``activity.call``, ``task``...), plus the filters it declares (close-api.md §6), plus an optional
``[start, end)`` window on the resource's date field. Each resource's filters are a pydantic
model built on first use from those declarations and validated through
``client/validation.py``; the values become the query text Close expects. Close's rule that
``user_id``, ``contact_id`` and ``_type`` only work on ``/activity/`` together with ``lead_id``
(§6.3) is enforced here: a single ``_type`` of call, sms, note, email or meeting is routed to
``/activity/<type>/``, which accepts them; anything else is refused with the way out in the
message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, Final, cast

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic import StringConstraints as Text

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.dates import DATE_OR_DATETIME_ALLOWED
from airflow_provider_close.client.payloads.enums import ValuePeriod
from airflow_provider_close.client.payloads.ids import id_pattern_text, looks_like_id
from airflow_provider_close.client.payloads.text import NON_EMPTY
from airflow_provider_close.client.resources import RESOURCES, ListFilter, ResourceSpec
from airflow_provider_close.client.timestamps import (
    as_utc,
    parse_date_text,
    parse_datetime_text,
    parse_moment,
)
from airflow_provider_close.client.validation import allowed_note, checked_by, validated_fields

if TYPE_CHECKING:
    from airflow_provider_close.client.payloads.ids import IdKind

__all__ = ["LIST_RESOURCES", "ListQuery", "ListResource", "list_query", "window_bound"]

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
_OPS: Final = ("gt", "gte", "lt", "lte")
_NEEDS_LEAD: Final = frozenset({"user_id", "contact_id", "_type"})


def _id(kind: IdKind) -> Any:
    valid = checked_by(lambda v: v if looks_like_id(kind, v) else None, id_pattern_text(kind))
    return Annotated[str, valid]


def _many(item: Any) -> Any:
    """Return the type of an ``__in`` filter: a list (or comma-separated text) of ``item``."""
    split = BeforeValidator(lambda v: v.split(",") if isinstance(v, str) else v)
    return Annotated[list[item], split, Field(min_length=1), allowed_note("a non-empty list")]


def _moment_text(value: object) -> str | None:
    """Return a date (``YYYY-MM-DD``) or an aware datetime (in UTC) as Close's filter text."""
    if isinstance(value, str):
        value = parse_date_text(value.strip()) or parse_datetime_text(value.strip())
    if isinstance(value, datetime):
        return as_utc(value).isoformat() if value.utcoffset() is not None else None
    return value.isoformat() if isinstance(value, date) else None


_TEXT_RULE = Text(strip_whitespace=True, min_length=1, max_length=100_000)
_Text = Annotated[
    str, _TEXT_RULE, Field(pattern="^[^\x00]*$"), allowed_note(NON_EMPTY + " (no NUL)")
]
_Flag = Annotated[bool, allowed_note("true | false")]
_Slug = Annotated[
    str, Field(pattern="^[a-z][a-z_]*$"), allowed_note("a type such as 'lead' or 'all'")
]
_Date = Annotated[str, checked_by(_moment_text, DATE_OR_DATETIME_ALLOWED)]
_ActivityType = Annotated[
    str,
    checked_by(
        lambda v: v if v in ACTIVITY_TYPE_FILTERS or str(v).startswith("actitype_") else None,
        " | ".join(map(repr, ACTIVITY_TYPE_FILTERS)) + " | an 'actitype_' id",
    ),
]


def _dates(*names: str) -> dict[str, Any]:
    return {f"{name}__{op}": _Date for name in names for op in _OPS}


@dataclass(frozen=True)
class ListResource:
    """A list resource: its registry row's name and the filters Close accepts on it.

    :param spec_name: the registry's resource, e.g. ``activity.call``.
    :param filters: filter name -> the pydantic type of its value.
    """

    spec_name: str
    filters: Mapping[str, Any]


def _filter_type(declared: ListFilter) -> Any:
    """Return the pydantic type of one filter the registry declares."""
    if declared.kind in ("id", "ids"):
        one = _id(cast("IdKind", declared.of))
        return one if declared.kind == "id" else _many(one)
    if declared.kind in ("choice", "choices"):
        choices = " | ".join(map(repr, declared.of))
        one = Annotated[str, checked_by(lambda v: v if v in declared.of else None, choices)]
        return one if declared.kind == "choice" else _many(one)
    named: dict[str, Any] = {"flag": _Flag, "text": _Text, "slug": _Slug}
    return {**named, "activity_type": _ActivityType, "value_period": ValuePeriod}[declared.kind]


def _list_resource(spec: ResourceSpec) -> ListResource:
    types = {name: _filter_type(declared) for name, declared in spec.filters.items()}
    return ListResource(spec.name, MappingProxyType({**types, **_dates(*spec.date_filters)}))


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
    if value is None:
        return None
    if (text := _moment_text(value)) is None:
        raise ClosePayloadError(field, value, DATE_OR_DATETIME_ALLOWED)
    return parse_moment(text)


@cache
def _filters_model(name: str) -> type[BaseModel]:
    """Return the pydantic model of ``name``'s filters (built on first use, not at DAG parse)."""
    from pydantic import create_model

    resource = LIST_RESOURCES[name]
    fields: dict[str, Any] = {
        key.lstrip("_"): (Annotated[kind, Field(alias=key)], None)
        for key, kind in resource.filters.items()
    }
    config = ConfigDict(extra="forbid", json_schema_extra={"allowed": _allowed_filters(resource)})
    return create_model(f"{name}_filters", __config__=config, **fields)


def _query_text(value: object) -> str:
    if isinstance(value, list):
        return ",".join(map(_query_text, value))
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _checked_filters(name: str, filters: object) -> dict[str, str]:
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise ClosePayloadError(f"{name}.filters", filters, "a mapping of filter -> value")
    given = {str(key): value for key, value in filters.items() if value is not None}
    model = validated_fields(_filters_model(name), given, prefix=f"{name}.filters")
    checked = model.model_dump(by_alias=True, exclude_unset=True)
    return {key: _query_text(value) for key, value in checked.items()}


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


class _Projection(BaseModel):
    """The ``fields`` argument: the names Close's ``_fields`` returns."""

    fields: Annotated[
        list[_Text], Field(min_length=1), allowed_note("a non-empty list of field names")
    ]


def _fields_param(name: str, spec: ResourceSpec, fields: object) -> dict[str, str]:
    """Return ``{"_fields": ...}`` with the id and window field the engine needs, or ``{}``."""
    if fields is None:
        return {}
    wanted = validated_fields(_Projection, {"fields": fields}, prefix=name).fields
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
    name, params = _routed(resource, _checked_filters(resource, filters))
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
