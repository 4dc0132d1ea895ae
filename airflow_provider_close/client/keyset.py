"""Keyset walks: lists that stay exact while Close changes between pages (pure, no I/O).

Offset paging (``_skip``) over a list that moves skips a row for every earlier row deleted and
repeats one for every row inserted ahead (close-api.md §9b). A keyset walk never skips by
position: each next page asks again for the rows *from the last date value read*
(``<field>__gte=<last>``, or ``__lte`` descending; on ``/data/search/`` a ``moment_range`` on
the sort's date field; on the legacy ``GET /lead/?query=`` a ``date_created >= "<last>"`` term
in the query string), sorted on that field, and drops the rows of that value it already
yielded. This is the package's one keyset walk: lists, searches, the extraction engine and
change extraction all page through it.
Every object that exists for the whole walk therefore comes back exactly once, whatever is
created, updated or deleted meanwhile, as long as its key field does not change (date_created
never does). Objects created or deleted during the walk may appear or not, never twice.

Ties, offset lists: the next page skips the rows already read at the last value but one, the
last row read, which must come back first (an overlap checkpoint). If it does not, a row at
that very instant was deleted or inserted, and the page is re-read from the value with no
skip at all (one extra request), deduplicated by id. Rows tied on one value are assumed to come
in the same relative order on every request (as any paging of ties must). Search has no
``_skip``: it re-reads every row at the last value (deduplicated), and steps through an
instant that fills a whole page by Close's cursor.

The price is one row per page read twice, so a walk of N rows at page size P costs
``ceil((N - 1) / (P - 1))`` requests instead of ``ceil(N / P)`` (about 1% more at P = 100).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_close.client.bodies import JSONObject
from airflow_provider_close.client.errors import CloseError
from airflow_provider_close.client.resources import keyset_fields, normalize_path
from airflow_provider_close.client.timestamps import parse_moment

__all__ = [
    "KeysetOrder",
    "OffsetKeyset",
    "TieTracker",
    "keyset_order",
    "lead_query_keyset",
    "lead_query_text",
    "legacy_lead_query",
    "row_id",
]


@dataclass(frozen=True)
class KeysetOrder:
    """The date field a list is walked on, and its direction.

    :param field: e.g. ``date_created``.
    :param descending: newest first (``_order_by=-<field>``).
    """

    field: str
    descending: bool = False

    @property
    def order_by(self) -> str:
        """The ``_order_by`` value of this order."""
        return ("-" if self.descending else "") + self.field

    @property
    def bound_param(self) -> str:
        """The filter that resumes the walk at a value (``__gte`` ascending, ``__lte`` not)."""
        return f"{self.field}__{'lte' if self.descending else 'gte'}"


def keyset_order(path: str, params: Mapping[str, Any]) -> KeysetOrder | None:
    """Return the keyset order of an offset list, or ``None`` if it has none.

    A list has one when Close filters and sorts it by a date field (close-api.md §5, §6.3,
    §6.8, §6.9) and the caller's ``_order_by`` (if any) is on such a field.

    :param path: the list path.
    :param params: the caller's query (its ``_order_by`` is honoured).
    """
    fields = keyset_fields(path)
    if not fields:
        return None
    order = str(params.get("_order_by") or fields[0])
    name = order.lstrip("-")
    return KeysetOrder(name, order.startswith("-")) if name in fields else None


def row_id(row: JSONObject) -> str:
    value = row.get("id")
    if not isinstance(value, str):
        raise CloseError(f"list row without a string id: {sorted(row)}")
    return value


def _row_key(row: JSONObject, name: str) -> str:
    value = row.get(name)
    if not isinstance(value, str) or not value:
        raise CloseError(
            f"list row {row.get('id')!r} has no {name}; a keyset walk needs it "
            f"(include {name} in _fields)"
        )
    return value


@dataclass
class TieTracker:
    """The last key value read and the ids yielded at it (what the next page re-reads).

    :param name: the key field.
    :param descending: the walk's direction (rows behind the last value are refused).
    """

    name: str
    descending: bool = False
    value: str | None = None
    ids: set[str] = field(default_factory=set)
    dense: bool = False

    def fresh(self, items: list[JSONObject]) -> list[JSONObject]:
        """Return the rows not yet yielded (those at the last value that were are dropped).

        :param items: a page's rows, in key order.
        :raises CloseError: a row behind the last value read (Close broke the ordering or the
            bound, which would make the walk repeat or skip rows).
        """
        if self.value is not None and items:
            self._check_order(items)
        return [row for row in items if not (self.ids and row_id(row) in self.ids)]

    def _check_order(self, items: list[JSONObject]) -> None:
        last = parse_moment(self.value)
        for row in items:
            moment = parse_moment(_row_key(row, self.name))
            if (moment > last) if self.descending else (moment < last):
                raise CloseError(
                    f"list row {row.get('id')!r} is out of {self.name} order "
                    f"({moment.isoformat()} after {last.isoformat()})"
                )

    def advance(self, items: list[JSONObject]) -> str:
        """Record a page; return the key value the next page starts from.

        :param items: the page's rows (non-empty), in key order.
        """
        last = _row_key(items[-1], self.name)
        at_last = {row_id(row) for row in items if _row_key(row, self.name) == last}
        # A page wholly at one value cannot move the walk past it by value alone.
        self.dense = len(at_last) == len(items)
        self.ids = self.ids | at_last if last == self.value else at_last
        self.value = last
        return last


def _has_more_rows(response: JSONObject) -> list[JSONObject] | None:
    """Return a has-more page's rows, None at the end; refuse an empty has-more page."""
    if not response.get("has_more"):
        return None
    data = response.get("data") or []
    if not data:
        raise CloseError("has_more is true on an empty page; refusing to loop forever")
    return list(data)


class OffsetKeyset:
    """Next-page decisions of a keyset walk over an offset list.

    The next page resumes at the last value read and skips the rows already read at that
    value *but one*: the last row read, which must come back first. If it does not (a row at
    that instant was deleted or inserted meanwhile), that page is discarded and re-read from
    the value without any skip, so the shift can never hide a row.

    :param order: the key field and direction.
    :param bound: returns a query resumed at a key value; by default it sets
        ``order.bound_param`` (the legacy lead ``query`` puts the bound in its query string).
    """

    def __init__(
        self,
        order: KeysetOrder,
        bound: Callable[[dict[str, Any], str], dict[str, Any]] | None = None,
    ) -> None:
        self.order = order
        self._bound = bound or (lambda query, last: {**query, order.bound_param: last})
        self.ties = TieTracker(order.field, order.descending)
        self.retrying = False
        self._expect: str | None = None

    def fresh(self, items: list[JSONObject]) -> list[JSONObject]:
        """Return the page's rows not yielded before (none if its overlap row was missing).

        :param items: the page's rows.
        """
        expected, self._expect, self.retrying = self._expect, None, False
        if expected is not None and (not items or row_id(items[0]) != expected):
            self.retrying = True
            return []
        return self.ties.fresh(items)

    def next_params(self, params: Mapping[str, Any], response: JSONObject) -> dict[str, Any] | None:
        """Return the next page's query (resumed at the last key value), or None at the end.

        :param params: the query of the page just read.
        :param response: its response.
        """
        query = {k: v for k, v in params.items() if k != "_skip"}
        if self.retrying:
            return query  # the same value again, nothing skipped
        rows = _has_more_rows(response)
        if rows is None:
            return None
        last = self.ties.advance(rows)
        query = self._bound(query, last)
        if len(self.ties.ids) > 1:
            query["_skip"] = len(self.ties.ids) - 1
            self._expect = row_id(rows[-1])
        return query


def legacy_lead_query(path: str, params: Mapping[str, Any]) -> str | None:
    """Return the legacy lead ``query`` a list can be keyset-walked on, or None.

    ``GET /lead/?query=`` takes Close's UI search syntax, which orders by ``sort:date_created``
    and compares dates (``date_created >= "…"``, close-api.md §6.1; Close's own scripts page
    leads with ``sort:date_created``). A query that sets a ``sort:`` of its own keeps it and
    is walked by offset (deduplicated, not exact under deletes).

    :param path: the list path.
    :param params: the caller's query parameters.
    """
    text = params.get("query")
    if normalize_path(path) != "lead/" or not isinstance(text, str) or not text.strip():
        return None
    return None if "sort:" in text.lower() else text.strip()


def lead_query_text(query: str, since: str | None = None) -> str:
    """Return the lead query sorted on ``date_created``, from ``since`` on (inclusive).

    The caller's query is grouped in parentheses, so an ``or`` in it cannot capture the bound.

    :param query: the caller's query string.
    :param since: a ``date_created`` value read from Close, or None for the first page.
    """
    bound = f' date_created >= "{since}"' if since is not None else ""
    return f"({query}){bound} sort:date_created"


def lead_query_keyset(query: str) -> OffsetKeyset:
    """Return the keyset walk of a legacy lead query (its bound lives in the query string).

    :param query: the caller's query string (see :func:`legacy_lead_query`).
    """

    def bound(params: dict[str, Any], last: str) -> dict[str, Any]:
        return {**params, "query": lead_query_text(query, last)}

    return OffsetKeyset(KeysetOrder("date_created"), bound)
