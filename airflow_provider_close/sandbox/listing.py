"""Filter helpers shared by the list endpoints: id sets, date ranges, a per-query cache."""

from __future__ import annotations

import bisect
import operator
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.timestamps import format_timestamp, parse_moment

__all__ = [
    "DateBounds",
    "QueryCache",
    "bool_param",
    "date_bounds",
    "keyset_bound",
    "value_set",
    "within",
]

#: ``(comparison, normalized bound)`` pairs of a ``<field>__gt|gte|lt|lte`` filter.
DateBounds = list[tuple[Callable[[Any, Any], bool], str]]
_OPERATORS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def date_bounds(params: Mapping[str, str], field: str) -> DateBounds:
    """Return the ``<field>__gt|gte|lt|lte`` bounds of a request, normalized for comparison.

    Stored timestamps are normalized UTC strings, so bounds compare as strings.

    :param params: the query parameters.
    :param field: e.g. ``date_created``.
    :raises BadRequest: a bound that is neither a date nor a datetime.
    """
    bounds: DateBounds = []
    for suffix, compare in _OPERATORS.items():
        raw = params.get(f"{field}__{suffix}")
        if raw is None:
            continue
        moment = parse_moment(raw)
        if moment is None:
            raise BadRequest(f"Invalid value for {field}__{suffix}: {raw!r}.")
        bounds.append((compare, format_timestamp(moment)))
    return bounds


def within(value: str | None, bounds: DateBounds) -> bool:
    """Return whether a stored timestamp satisfies every bound (None never does).

    :param value: the stored timestamp (or date).
    :param bounds: from :func:`date_bounds`.
    """
    if not bounds:
        return True
    if value is None:
        return False
    if len(value) == 10:
        moment = parse_moment(value)
        value = format_timestamp(moment) if moment else value
    return all(compare(value, bound) for compare, bound in bounds)


def value_set(params: Mapping[str, str], name: str) -> set[str] | None:
    """Return the accepted values of ``name`` / ``name__in`` (comma-separated), or None.

    :param params: the query parameters.
    :param name: the filter name, e.g. ``lead_id``.
    """
    values: set[str] = set()
    if params.get(name):
        values.add(params[name])
    if params.get(f"{name}__in"):
        values.update(item for item in params[f"{name}__in"].split(",") if item)
    return values or None


def bool_param(params: Mapping[str, str], name: str) -> bool | None:
    """Return a ``true``/``false`` (``1``/``0``) parameter, None when absent.

    :param params: the query parameters.
    :param name: the parameter.
    :raises BadRequest: another value.
    """
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise BadRequest(f"Invalid value for {name}: {raw!r}.")


def keyset_bound(
    params: Mapping[str, str], field: str, default_order: str
) -> tuple[dict[str, str], Callable[[list[Record]], list[Record]]]:
    """Split off the bound a keyset walk resumes at, for lists sorted on ``field``.

    A walk sorted ascending resumes with ``<field>__gte``, descending with ``<field>__lte``.
    Returns the parameters without that bound and a function cutting a list sorted that way
    (as computed from those parameters) to the rows the bound keeps: the same rows as
    filtering with it, found by bisection.

    :param params: the query parameters.
    :param field: the date field, e.g. ``date_created``.
    :param default_order: the list's order when ``_order_by`` is absent.
    :raises BadRequest: a bound that is neither a date nor a datetime.
    """
    order = params.get("_order_by") or default_order
    suffix = "gte" if order == field else "lte" if order == f"-{field}" else None
    name = f"{field}__{suffix}"
    if suffix is None or name not in params:
        return dict(params), lambda rows: rows
    [(compare, bound)] = date_bounds({name: params[name]}, field)
    rest = {key: value for key, value in params.items() if key != name}

    def cut(rows: list[Record]) -> list[Record]:
        start = bisect.bisect_left(
            range(len(rows)), True, key=lambda i: within(rows[i].get(field), [(compare, bound)])
        )
        return rows[start:]

    return rest, cut


class QueryCache:
    """The last few filtered+sorted result lists, valid while the state revision holds.

    Lets a client page through 100 000 activities without re-filtering on every page.

    :param size: how many queries to remember.
    """

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._entries: OrderedDict[Hashable, list[Record]] = OrderedDict()

    def get_or_compute(self, key: Hashable, compute: Callable[[], list[Record]]) -> list[Record]:
        """Return the cached result for ``key`` or compute and remember it.

        :param key: must include the state revision and every filter parameter.
        :param compute: builds the result.
        """
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key]
        result = compute()
        self._entries[key] = result
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return result
