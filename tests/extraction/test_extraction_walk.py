"""The keyset walk against an in-memory list that filters, sorts, pages and changes between
pages the way Close does (no network): every stable row exactly once, in (date, id) order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.client.errors import error_for_status
from airflow_provider_close.client.pagination import Page, Paginator
from airflow_provider_close.client.paginators import offset_paginator
from airflow_provider_close.extraction import (
    WalkStats,
    Window,
    WindowTooDenseError,
    resource_spec,
)
from airflow_provider_close.extraction.walk import iter_windowed
from airflow_provider_close.extraction.windows import format_moment, parse_moment, window_params

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SPEC = resource_spec("activity.call")
WHOLE = Window(T0, T0 + timedelta(days=1))


def _row(index: int, second: int) -> dict[str, Any]:
    return {
        "id": f"acti_{index:06d}",
        "date_created": format_moment(T0 + timedelta(seconds=second)),
    }


def _rows(seconds: list[int]) -> list[dict[str, Any]]:
    """One row per entry, created ``seconds`` after T0 (repeats make ties)."""
    return [_row(i, s) for i, s in enumerate(seconds)]


class FakeList:
    """Close's list: ``date_created__gte|gt|lt`` filters, sorted by it (ties in reverse id
    order), ``_skip``/``_limit`` paging, a refused ``_skip`` above ``max_skip``; ``between``
    runs after each page is served (the data may change between pages)."""

    def __init__(self, rows: list[dict[str, Any]], max_skip: int = 250_000) -> None:
        self.rows, self.max_skip = list(rows), max_skip
        self.requests: list[dict[str, Any]] = []
        self.between: Callable[[int], None] = lambda _page: None

    def _matching(self, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        def ok(row: dict[str, Any]) -> bool:
            moment = parse_moment(row["date_created"])
            bounds = {op: params.get(f"date_created__{op}") for op in ("gte", "gt", "lt")}
            return (
                (bounds["gte"] is None or moment >= parse_moment(bounds["gte"]))
                and (bounds["gt"] is None or moment > parse_moment(bounds["gt"]))
                and (bounds["lt"] is None or moment < parse_moment(bounds["lt"]))
            )

        found = sorted((r for r in self.rows if ok(r)), key=lambda r: r["id"], reverse=True)
        return sorted(found, key=lambda r: parse_moment(r["date_created"]))

    def serve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        self.requests.append(dict(params))
        skip, limit = int(params.get("_skip") or 0), int(params["_limit"])
        if skip > self.max_skip:
            body = {
                "error": "The skip you set is larger than the maximum skip for this resource "
                f"(max_skip = {self.max_skip}). Please refine your search query."
            }
            raise error_for_status("GET", "activity/call/", 400, body)
        matching = self._matching(params)
        page = {"data": matching[skip : skip + limit], "has_more": len(matching) > skip + limit}
        self.between(len(self.requests))
        return page


def _pages(pager: Paginator, fake: FakeList) -> Iterator[Page]:
    while (request := pager.next_request()) is not None:
        page = pager.on_page(fake.serve(request.params or {}))
        if page is not None:
            yield page


def _walk(
    fake: FakeList, window: Window = WHOLE, page_size: int = 10, path: str = SPEC.path
) -> tuple[list[str], WalkStats]:
    stats = WalkStats()
    pager = offset_paginator(path, window_params(SPEC, window), page_size=page_size)
    ids = [row["id"] for row in iter_windowed(_pages(pager, fake), SPEC, window, stats)]
    return ids, stats


def _expected(rows: list[dict[str, Any]], window: Window) -> list[str]:
    inside = [r for r in rows if window.contains(parse_moment(r["date_created"]))]
    return [
        r["id"] for r in sorted(inside, key=lambda r: (parse_moment(r["date_created"]), r["id"]))
    ]


@pytest.mark.parametrize(
    ("seconds", "page_size"),
    [
        pytest.param([], 10, id="empty"),
        pytest.param(list(range(35)), 10, id="distinct-dates"),
        pytest.param([s // 7 for s in range(300)], 10, id="ties-straddling-pages"),
        pytest.param([s // 3 for s in range(1000)], 100, id="bigger-pages"),
        pytest.param([5] * 25 + list(range(6, 30)), 10, id="one-date-fills-pages"),
    ],
)
def test_walk_yields_every_row_once_in_order(seconds: list[int], page_size: int) -> None:
    rows = _rows(seconds)
    ids, _ = _walk(FakeList(rows), page_size=page_size)
    assert ids == _expected(rows, WHOLE)


def test_each_page_resumes_at_the_last_date_read_with_no_growing_skip() -> None:
    fake = FakeList(_rows(list(range(95))))
    _, stats = _walk(fake)
    assert all("_skip" not in request for request in fake.requests)
    assert fake.requests[1]["date_created__gte"] == fake.rows[9]["date_created"]
    # Distinct dates: one row re-read per page, so 95 rows take ceil(94 / 9) pages, not 10.
    assert stats.requests == len(fake.requests) == 11
    assert stats.rows_reread == 10


@pytest.mark.parametrize(
    "window",
    [
        Window(T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)),
        Window(T0 + timedelta(seconds=10), None),
        Window(None, T0 + timedelta(seconds=10)),
    ],
)
def test_walk_respects_half_open_bounds(window: Window) -> None:
    rows = _rows(list(range(30)) * 3)
    ids, _ = _walk(FakeList(rows), window, page_size=7)
    assert ids == _expected(rows, window)


def _churn(fake: FakeList, stable: list[dict[str, Any]]) -> None:
    """Between pages: delete three rows already read (never a stable one), create new ones."""
    created = iter(range(10_000, 20_000))

    def between(page: int) -> None:
        read_so_far = sorted(fake.rows, key=lambda r: r["date_created"])[: page * 10]
        for victim in [r for r in read_so_far if r not in stable][:3]:
            fake.rows.remove(victim)
        for second in (0, 10_000):  # before and after the walk's position
            fake.rows.append(_row(next(created), second))

    fake.between = between


def test_stable_rows_come_back_exactly_once_while_rows_come_and_go() -> None:
    rows = _rows(list(range(200)))
    stable, doomed = rows[1::2], rows[0::2]
    fake = FakeList(rows)
    _churn(fake, stable)
    ids, _ = _walk(fake)
    assert len(ids) == len(set(ids))
    assert {r["id"] for r in stable} <= set(ids)
    assert doomed  # some rows were deletable


def test_the_offset_walk_loses_stable_rows_under_the_same_churn() -> None:
    """The hazard the keyset walk removes: ``lead/`` has no date order, so it pages by offset."""
    rows = _rows(list(range(200)))
    stable = rows[1::2]
    fake = FakeList(rows)
    _churn(fake, stable)
    ids, _ = _walk(fake, path="lead/")
    assert not {r["id"] for r in stable} <= set(ids)


def test_too_many_rows_on_one_date_is_an_error_not_a_loop() -> None:
    with pytest.raises(WindowTooDenseError, match="more than 50 rows share the date"):
        _walk(FakeList(_rows([5] * 80), max_skip=50))


def test_walk_refuses_unwindowed_specs() -> None:
    with pytest.raises(ValueError, match="not a windowed resource"):
        list(iter_windowed(iter([]), resource_spec("user"), WHOLE, WalkStats()))


@pytest.mark.parametrize("change", ["delete", "insert"])
def test_a_change_at_the_boundary_instant_is_caught_by_the_overlap_row(change: str) -> None:
    """Page 1 ends inside a pair of tied rows; one row at that very instant is deleted (or one
    inserted) before page 2, shifting the skip: the overlap row is missing, so the page is
    re-read with no skip and nothing is lost."""
    rows = _rows([s // 2 for s in range(40)])
    fake = FakeList(rows)
    first_page = sorted(rows, key=lambda r: r["id"], reverse=True)  # the fake's tie order
    first_page = sorted(first_page, key=lambda r: r["date_created"])[:10]
    boundary = first_page[-1]["date_created"]
    at_boundary = [r for r in first_page if r["date_created"] == boundary]
    assert len(at_boundary) == 2  # the page ends on the second row of a pair

    def between(page: int) -> None:
        if page != 1:
            return
        if change == "delete":
            fake.rows.remove(at_boundary[0])
        else:
            fake.rows.append({"id": "acti_999999", "date_created": boundary})

    fake.between = between
    ids, _ = _walk(fake)
    stable = [r for r in rows if r is not at_boundary[0]]
    assert len(ids) == len(set(ids))
    assert {r["id"] for r in stable} <= set(ids)
    assert fake.requests[1]["_skip"] == 1  # the skip that the change shifted
    assert "_skip" not in fake.requests[2]  # ...so that page was re-read from the instant
