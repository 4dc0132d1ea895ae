"""A keyset walk over one activity list, exact while activities come and go between pages (pure).

Offset paging (``_skip``) over a list that changes between pages skips rows when earlier ones
are deleted and repeats rows when new ones are inserted ahead (close-api.md §9b). This walk pages
on the date instead: each page after the first asks for ``date_created >= <last date read>``
(same filters, same upper bound, ordered by ``date_created``) from ``_skip=0``. The rows at that
last date come back again and are dropped by id; nothing before it can be shifted by a delete or
a create. So every activity that exists for the whole walk is returned exactly once, and one
created or deleted during the walk at most once. The price is the rows at the last date of
each page, read twice: usually one row per page (a page of 100 yields 99 new rows).

Only when a whole page shares one date (more than a page of activities created in the same
microsecond) does the walk page with ``_skip`` inside that date until it moves past it; there a
delete among those very ties could still shift a row.

The walk is sans-I/O: :meth:`KeysetWalk.next_params` says what to ask for,
:meth:`KeysetWalk.on_page` takes Close's answer and returns the rows not seen before.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from itertools import pairwise
from typing import Any

from airflow_provider_close.client import CloseError
from airflow_provider_close.client.timestamps import format_moment, parse_moment

__all__ = ["KeysetWalk"]

JSONObject = dict[str, Any]

_LOWER_BOUNDS = ("date_created__gt", "date_created__gte")


class KeysetWalk:
    """Walks one list request of the query plan in ascending ``date_created``.

    :param path: the list path, e.g. ``activity/call/``.
    :param params: the query's filters, date bounds, ``_order_by=date_created`` and ``_fields``.
    :param page_size: ``_limit`` of every page.
    """

    def __init__(self, path: str, params: Mapping[str, str], page_size: int) -> None:
        if params.get("_order_by") != "date_created":
            raise ValueError("a keyset walk needs _order_by=date_created")
        self.path = path
        self._params = {**params, "_limit": str(page_size)}
        self._last: datetime | None = None
        self._ids_at_last: set[str] = set()
        self._skip = 0
        self.done = False
        self.pages = 0

    @property
    def last_moment(self) -> datetime | None:
        """The latest ``date_created`` read so far (None before the first row)."""
        return self._last

    def next_params(self) -> dict[str, str] | None:
        """Return the query of the next page, or None when the walk is over."""
        if self.done:
            return None
        if self._last is None:
            return dict(self._params)
        query = {k: v for k, v in self._params.items() if k not in _LOWER_BOUNDS}
        query["date_created__gte"] = format_moment(self._last)
        if self._skip:
            query["_skip"] = str(self._skip)
        return query

    def on_page(self, page: Mapping[str, Any]) -> list[JSONObject]:
        """Take the response to :meth:`next_params`; return its rows not returned before.

        :param page: Close's response (``data``, ``has_more``).
        :raises CloseError: Close broke the ordering, or said more follows an empty page.
        """
        rows: list[JSONObject] = list(page.get("data") or [])
        has_more = bool(page.get("has_more"))
        self.pages += 1
        if not rows:
            if has_more:
                raise CloseError(f"{self.path}: has_more is true on an empty page")
            self.done = True
            return []
        moments = [parse_moment(row.get("date_created")) for row in rows]
        if any(b < a for a, b in pairwise(moments)) or (
            self._last is not None and moments[0] < self._last
        ):
            raise CloseError(f"{self.path}: rows are not in ascending date_created order")
        fresh = [
            row
            for row, moment in zip(rows, moments, strict=True)
            if moment != self._last or str(row["id"]) not in self._ids_at_last
        ]
        self._advance(rows, moments)
        self.done = not has_more
        return fresh

    def _advance(self, rows: list[JSONObject], moments: list[datetime]) -> None:
        newest = moments[-1]
        at_newest = {str(r["id"]) for r, m in zip(rows, moments, strict=True) if m == newest}
        if newest == self._last:
            # The whole page shares the last date: page through that date with _skip.
            self._ids_at_last |= at_newest
            self._skip += len(rows)
        else:
            self._last, self._ids_at_last, self._skip = newest, at_newest, 0
