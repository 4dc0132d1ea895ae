"""The keyset walk of ``POST /data/search/`` searches of one object type (pure, no I/O).

Advanced Filtering has no ``_skip``: a search without a ``sort`` of its own, or sorted on one
date field, is walked by re-asking from the last value read with a ``moment_range`` on that
field (close-api.md §9b), every row at that value re-read and dropped by id, and an instant
that fills a whole page stepped through by Close's cursor. See :mod:`.keyset` for the
guarantees; other searches follow Close's cursor (:mod:`.pagination`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.client.bodies import JSONObject
from airflow_provider_close.client.keyset import KeysetOrder, TieTracker, row_id
from airflow_provider_close.client.timestamps import MICROSECOND, format_moment, parse_moment

__all__ = ["SEARCH_KEYSET_FIELDS", "SearchKeyset", "search_keyset_type"]


#: The date fields a one-type search can be keyset-walked on (Advanced Filtering filters both
#: by ``moment_range``, close-api.md §9b). ``date_created`` never changes; ``date_updated``
#: moves with every edit, so a walk on it also drops any object it already yielded.
SEARCH_KEYSET_FIELDS: tuple[str, ...] = ("date_created", "date_updated")


def _date_field(object_type: str, name: str) -> JSONObject:
    return {"type": "regular_field", "object_type": object_type, "field_name": name}


def _search_order(sort: object, object_type: str) -> KeysetOrder | None:
    """Return the keyset order of a ``sort`` on one date field of ``object_type``, else None.

    No ``sort`` at all walks ascending on ``date_created``.
    """
    if not sort:
        return KeysetOrder("date_created")
    if not isinstance(sort, list) or len(sort) != 1 or not isinstance(sort[0], Mapping):
        return None
    spec = sort[0]
    for name in SEARCH_KEYSET_FIELDS:
        if spec.get("field") == _date_field(object_type, name):
            direction = spec.get("direction")
            return KeysetOrder(name, direction == "desc") if direction in ("asc", "desc") else None
    return None


def search_keyset_type(body: Mapping[str, Any]) -> str | None:
    """Return the object type a search can be keyset-walked on, or None (cursor walk).

    A search qualifies when it asks ``_fields`` of exactly one object type (``lead`` or
    ``contact``) and sets no ``sort`` of its own (walked on ``date_created``), or sorts on
    that type's ``date_created`` or ``date_updated`` alone, in either direction, which then
    orders the walk. Other sorts follow Close's cursor.

    :param body: the Advanced Filtering body.
    """
    fields = body.get("_fields")
    if body.get("cursor") or not isinstance(fields, Mapping):
        return None
    types = [name for name in fields if name in ("lead", "contact")]
    if len(types) != 1 or len(fields) != 1:
        return None
    return types[0] if _search_order(body.get("sort"), types[0]) else None


class SearchKeyset:
    """Next-page decisions of a keyset walk over ``POST /data/search/`` (one object type).

    Ascending, each next page asks for the key on or after the last value read; descending,
    before the last value plus Close's resolution of one microsecond, i.e. on or before it.
    Rows at that value already yielded are dropped; on ``date_updated`` (which an edit moves
    ahead of the walk) every object already yielded is dropped.

    :param object_type: ``lead`` or ``contact``.
    :param body: the caller's body (its ``query`` is kept; ``sort`` unset or on one date
        field, see :func:`search_keyset_type`).
    """

    def __init__(self, object_type: str, body: Mapping[str, Any]) -> None:
        order = _search_order(body.get("sort"), object_type)
        if order is None:
            raise ValueError("this search cannot be keyset-walked (see search_keyset_type)")
        self.object_type = object_type
        self.order = order
        self.ties = TieTracker(order.field, order.descending)
        self._query = body["query"]
        self._yielded: set[str] | None = set() if order.field == "date_updated" else None

    def first_body(self, body: Mapping[str, Any]) -> JSONObject:
        """Return the first page's body: sorted on the key field, which is returned.

        :param body: the caller's body.
        """
        fields = list(body["_fields"][self.object_type])
        if self.order.field not in fields:
            fields.append(self.order.field)
        direction = "desc" if self.order.descending else "asc"
        sort = [{"direction": direction, "field": _date_field(self.object_type, self.order.field)}]
        return {**body, "_fields": {self.object_type: fields}, "sort": sort}

    def fresh(self, items: list[JSONObject]) -> list[JSONObject]:
        """Return the page's results not yielded before.

        :param items: the page's results.
        """
        rows = self.ties.fresh(items)
        if self._yielded is None:
            return rows
        kept = [row for row in rows if row_id(row) not in self._yielded]
        self._yielded.update(row_id(row) for row in kept)
        return kept

    def _resume_at(self, last: str) -> JSONObject:
        """Return the ``moment_range`` keeping the rows from ``last`` on, in walk order."""
        if self.order.descending:
            before = format_moment(parse_moment(last) + MICROSECOND)
            return {"type": "moment_range", "before": {"type": "fixed_utc", "value": before}}
        return {"type": "moment_range", "on_or_after": {"type": "fixed_utc", "value": last}}

    def next_body(self, body: Mapping[str, Any], response: JSONObject) -> JSONObject | None:
        """Return the next page's body (a new query from the last value), or None at the end.

        :param body: the body of the page just read.
        :param response: its response.
        """
        cursor = response.get("cursor")
        rows = list(response.get("data") or [])
        if not cursor or not rows:
            return None
        last = self.ties.advance(rows)
        if self.ties.dense:
            return {**body, "cursor": cursor}  # one instant fills the page: step by cursor
        since = {
            "type": "field_condition",
            "field": _date_field(self.object_type, self.order.field),
            "condition": self._resume_at(last),
        }
        query = {"type": "and", "queries": [self._query, since]}
        return {k: v for k, v in {**body, "query": query}.items() if k != "cursor"}
