"""The keyset walk, without a network: exact while rows vanish and move between pages, ties
re-read and dropped, dense ties continued, requests near the minimum."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.extraction.errors import CloseExtractionError
from airflow_provider_close.extraction.keyset import KeysetPage, KeysetStats, iter_keyset

T0 = datetime(2026, 3, 1, tzinfo=UTC)


class Table:
    """Rows keyed by ``date_updated``; pages of ``size``; ``between`` runs after each page."""

    def __init__(self, keys: list[int], size: int) -> None:
        self.rows = {f"r{n:03d}": T0 + timedelta(seconds=key) for n, key in enumerate(keys)}
        self.size = size
        self.pages = 0
        self.between: list[Any] = []

    def fetch(self, lower: datetime | None, continuation: object) -> KeysetPage:
        ordered = sorted(self.rows.items(), key=lambda item: (item[1], item[0]))
        end = T0 + timedelta(hours=1)  # the interval ended: an edit moves a row out of it
        matching = [(i, k) for i, k in ordered if (lower is None or k >= lower) and k < end]
        skip = continuation if isinstance(continuation, int) else 0
        chunk = matching[skip : skip + self.size]
        items = [{"id": i, "date_updated": k.isoformat()} for i, k in chunk]
        if self.pages < len(self.between):
            self.between[self.pages](self)
        self.pages += 1
        return KeysetPage(items, skip + self.size < len(matching), skip + len(chunk))


def walk(table: Table) -> list[str]:
    stats = KeysetStats()
    return [row["id"] for row in iter_keyset(table.fetch, "date_updated", None, stats, name="t")]


def test_rows_deleted_or_moved_behind_the_walk_do_not_shift_it() -> None:
    table = Table(list(range(0, 40, 2)), size=5)
    stable = set(table.rows) - {"r001", "r002"}

    def delete_read_rows(t: Table) -> None:  # after page 1: two rows already read vanish
        del t.rows["r001"], t.rows["r002"]

    def move_read_row(t: Table) -> None:  # after page 2: an edited row moves to the end
        t.rows["r006"] = T0 + timedelta(hours=1)

    table.between = [delete_read_rows, move_read_row]
    got = walk(table)
    assert [row for row in got if row in stable] == sorted(stable)  # each once, in order
    assert len(got) == len(set(got))


def test_offset_paging_would_have_skipped_rows() -> None:
    """The same mutation under plain offset paging loses a stable row (the bug keyset fixes)."""
    table = Table(list(range(0, 40, 2)), size=5)
    table.between = [lambda t: t.rows.pop("r001")]
    seen: list[str] = []
    continuation: object = None
    while True:
        page = table.fetch(None, continuation)
        seen += [row["id"] for row in page.items]
        if not page.has_more:
            break
        continuation = page.continuation
    assert "r005" not in seen


def test_ties_at_page_boundaries_are_read_again_and_dropped() -> None:
    keys = [0, 1, 1, 1, 2, 3, 3, 4, 5, 5, 5, 5, 6]
    table = Table(keys, size=4)
    assert walk(table) == sorted(table.rows)


def test_more_ties_than_a_page_continue_the_same_query() -> None:
    table = Table([0] + [1] * 9 + [2], size=3)
    assert walk(table) == sorted(table.rows)


def test_requests_stay_near_the_minimum() -> None:
    table = Table(list(range(1000)), size=100)
    stats = KeysetStats()
    rows = list(iter_keyset(table.fetch, "date_updated", None, stats, name="t"))
    assert len(rows) == 1000
    assert stats.requests == 11  # 1000 / 99 new rows per page after the re-read boundary row
    assert stats.reread == 10


def test_rows_out_of_order_are_refused() -> None:
    def fetch(lower: datetime | None, _continuation: object) -> KeysetPage:
        if lower is None:
            return KeysetPage([{"id": "a", "date_updated": "2026-03-02T00:00:00+00:00"}], True)
        return KeysetPage([{"id": "b", "date_updated": "2026-03-01T00:00:00+00:00"}], False)

    with pytest.raises(CloseExtractionError, match="out of date_updated order"):
        list(iter_keyset(fetch, "date_updated", None, KeysetStats(), name="t"))
