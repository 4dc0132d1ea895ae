"""The one keyset walk (client/keyset.py) as change extraction drives it, without a network:
exact while rows vanish and move between pages, ties re-read and dropped, dense ties paged
inside their date, requests near the minimum, rows out of order refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.client.errors import CloseError
from airflow_provider_close.client.paginators import offset_paginator
from airflow_provider_close.client.timestamps import parse_moment

T0 = datetime(2026, 3, 1, tzinfo=UTC)
END = T0 + timedelta(hours=1)  # the interval ended: an edit moves a row out of it


class Table:
    """Opportunities keyed by ``date_updated``, served as ``GET /opportunity/`` would.

    ``between`` runs after each page is served (a mid-walk change).
    """

    def __init__(self, keys: list[int]) -> None:
        self.rows = {f"r{n:03d}": T0 + timedelta(seconds=key) for n, key in enumerate(keys)}
        self.pages = 0
        self.between: list[Any] = []

    def answer(self, params: dict[str, Any]) -> dict[str, Any]:
        lower = params.get("date_updated__gte")
        bound = parse_moment(lower) if lower else None
        ordered = sorted(self.rows.items(), key=lambda item: (item[1], item[0]))
        matching = [(i, k) for i, k in ordered if (bound is None or k >= bound) and k < END]
        skip, size = int(params.get("_skip") or 0), int(params["_limit"])
        chunk = matching[skip : skip + size]
        page = {
            "data": [{"id": i, "date_updated": k.isoformat()} for i, k in chunk],
            "has_more": skip + size < len(matching),
        }
        if self.pages < len(self.between):
            self.between[self.pages](self)
        self.pages += 1
        return page


def walk(table: Table, size: int) -> tuple[list[str], int]:
    """Return the ids the walk yields and the rows it re-read and dropped."""
    params = {"_order_by": "date_updated", "date_updated__lt": END.isoformat()}
    pager = offset_paginator("opportunity/", params, page_size=size)
    got: list[str] = []
    dropped = 0
    while (request := pager.next_request()) is not None:
        page = pager.on_page(table.answer(dict(request.params or {})))
        if page is not None:
            got += [row["id"] for row in page.items]
            dropped += page.dropped
    return got, dropped


def test_rows_deleted_or_moved_behind_the_walk_do_not_shift_it() -> None:
    table = Table(list(range(0, 40, 2)))
    stable = set(table.rows) - {"r001", "r002", "r006"}

    def delete_read_rows(t: Table) -> None:  # after page 1: two rows already read vanish
        del t.rows["r001"], t.rows["r002"]

    def move_read_row(t: Table) -> None:  # after page 2: an edited row moves out
        t.rows["r006"] = END

    table.between = [delete_read_rows, move_read_row]
    got, _ = walk(table, 5)
    assert [row for row in got if row in stable] == sorted(stable)  # each once, in order
    assert len(got) == len(set(got))


def test_offset_paging_would_have_skipped_rows() -> None:
    """The same mutation under plain offset paging loses a stable row (the bug keyset fixes)."""
    table = Table(list(range(0, 40, 2)))
    table.between = [lambda t: t.rows.pop("r001")]
    seen: list[str] = []
    skip = 0
    while True:
        page = table.answer({"_skip": skip, "_limit": 5})
        seen += [row["id"] for row in page["data"]]
        if not page["has_more"]:
            break
        skip += len(page["data"])
    assert "r005" not in seen


def test_ties_at_page_boundaries_are_read_again_and_dropped() -> None:
    table = Table([0, 1, 1, 1, 2, 3, 3, 4, 5, 5, 5, 5, 6])
    got, dropped = walk(table, 4)
    assert got == sorted(table.rows)
    assert dropped > 0


def test_more_ties_than_a_page_are_paged_inside_their_date() -> None:
    table = Table([0] + [1] * 9 + [2])
    got, _ = walk(table, 3)
    assert got == sorted(table.rows)


def test_requests_stay_near_the_minimum() -> None:
    table = Table(list(range(1000)))
    got, dropped = walk(table, 100)
    assert len(got) == 1000
    assert table.pages == 11  # 1000 / 99 new rows per page after the re-read boundary row
    assert dropped == 10


def test_rows_out_of_order_are_refused() -> None:
    class Backwards(Table):
        def answer(self, params: dict[str, Any]) -> dict[str, Any]:
            return super().answer({**params, "date_updated__gte": None})  # ignores the bound

    with pytest.raises(CloseError, match="out of date_updated order"):
        walk(Backwards(list(range(10))), 4)
