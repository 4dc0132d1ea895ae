"""The windowed walk against an in-memory list that pages, filters, sorts and refuses large
skips the way Close does (no network): every row exactly once, in order, splits where needed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.client.errors import error_for_status
from airflow_provider_close.extraction import (
    PageData,
    ResourceSpec,
    WalkStats,
    Window,
    WindowTooDenseError,
    resource_spec,
)
from airflow_provider_close.extraction.walk import iter_windowed
from airflow_provider_close.extraction.windows import parse_moment

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SPEC = resource_spec("activity.call")


def _rows(seconds: list[int]) -> list[dict[str, Any]]:
    """One row per entry, created ``seconds`` after T0 (repeats make ties)."""
    return [
        {"id": f"acti_{i:06d}", "date_created": (T0 + timedelta(seconds=s)).isoformat()}
        for i, s in enumerate(seconds)
    ]


class FakeList:
    """Close's offset list: filter ``date_created``, sort by it (ties in reverse id order),
    ``_skip`` above ``max_skip`` refused with Close's message."""

    def __init__(self, rows: list[dict[str, Any]], page_size: int, max_skip: int) -> None:
        self.rows, self.page_size, self.max_skip = rows, page_size, max_skip
        self.requests: list[tuple[dict[str, str], int]] = []

    def _matching(self, params: Mapping[str, str]) -> list[dict[str, Any]]:
        lo, hi = params.get("date_created__gte"), params.get("date_created__lt")
        found = [
            r
            for r in self.rows
            if (lo is None or parse_moment(r["date_created"]) >= parse_moment(lo))
            and (hi is None or parse_moment(r["date_created"]) < parse_moment(hi))
        ]
        found.sort(key=lambda r: r["id"], reverse=True)
        found.sort(key=lambda r: parse_moment(r["date_created"]))
        return found

    def read(self, params: Mapping[str, str]) -> Iterator[PageData]:
        assert params["_order_by"] == "date_created"
        skip = 0
        while True:
            self.requests.append((dict(params), skip))
            if skip > self.max_skip:
                body = {
                    "error": "The skip you set is larger than the maximum skip for this "
                    f"resource (max_skip = {self.max_skip}). Please refine your search query."
                }
                raise error_for_status("GET", "activity/call/", 400, body)
            matching = self._matching(params)
            page = matching[skip : skip + self.page_size]
            has_more = len(matching) > skip + self.page_size
            yield PageData(page, has_more)
            if not has_more:
                return
            skip += self.page_size


def _walk(fake: FakeList, spec: ResourceSpec, window: Window) -> tuple[list[str], WalkStats]:
    stats = WalkStats()
    ids = [row["id"] for row in iter_windowed(fake.read, spec, window, stats)]
    return ids, stats


def _expected(rows: list[dict[str, Any]], window: Window) -> list[str]:
    inside = [r for r in rows if window.contains(parse_moment(r["date_created"]))]
    return [
        r["id"] for r in sorted(inside, key=lambda r: (parse_moment(r["date_created"]), r["id"]))
    ]


WHOLE = Window(T0, T0 + timedelta(days=1))


@pytest.mark.parametrize(
    ("seconds", "page_size", "limits", "windows", "max_skip_errors"),
    [
        pytest.param([], 10, (50, 50), 1, 0, id="empty"),
        pytest.param(list(range(35)), 10, (50, 50), 1, 0, id="fits-one-walk"),
        pytest.param(list(range(60)), 10, (50, 50), 1, 0, id="exactly-reachable"),
        # 61 rows need _skip=60 > 50: split once, proactively (spec knows the limit).
        pytest.param(list(range(61)), 10, (50, 50), 2, 0, id="proactive-split"),
        # The spec assumes Close's default; the sandbox's smaller limit is learned from the error.
        pytest.param(list(range(200)), 10, (50, 250_000), 4, 1, id="learned-from-error"),
        # Ties straddling pages and splits: rows at the cut are held back and re-read.
        pytest.param([s // 7 for s in range(300)], 10, (50, 50), 6, 0, id="ties-across-splits"),
        pytest.param([s // 3 for s in range(1000)], 100, (300, 300), 3, 0, id="bigger-pages"),
    ],
)
def test_walk_yields_every_row_once_in_order(
    seconds: list[int],
    page_size: int,
    limits: tuple[int, int],
    windows: int,
    max_skip_errors: int,
) -> None:
    """``limits`` = (the server's max skip, the max skip the spec assumes)."""
    server_max_skip, spec_max_skip = limits
    rows = _rows(seconds)
    fake = FakeList(rows, page_size, server_max_skip)
    spec = ResourceSpec(SPEC.name, SPEC.path, window_field="date_created", max_skip=spec_max_skip)
    ids, stats = _walk(fake, spec, WHOLE)
    assert ids == _expected(rows, WHOLE)
    assert len(ids) == len(set(ids))
    assert stats.windows == windows
    assert stats.max_skip_errors == max_skip_errors
    assert stats.requests == len(fake.requests)
    assert (
        all(skip <= server_max_skip for _, skip in fake.requests[max_skip_errors:])
        or max_skip_errors
    )


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
    ids, _ = _walk(FakeList(rows, 7, 20), SPEC, window)
    assert ids == _expected(rows, window)


def test_consecutive_windows_partition_the_rows() -> None:
    rows = _rows([s % 97 for s in range(500)])
    edges = [T0 + timedelta(seconds=s) for s in (0, 13, 40, 41, 97)]
    parts = [
        _walk(FakeList(rows, 10, 30), SPEC, Window(a, b))[0] for a, b in itertools.pairwise(edges)
    ]
    flat = [i for part in parts for i in part]
    assert flat == _expected(rows, Window(edges[0], edges[-1]))
    assert len(flat) == 500


def test_split_resumes_at_the_last_date_without_wasting_pages() -> None:
    rows = _rows(list(range(61)))  # unique dates; one split after 60 rows
    fake = FakeList(rows, 10, 50)
    spec = ResourceSpec(SPEC.name, SPEC.path, window_field="date_created", max_skip=50)
    _, stats = _walk(fake, spec, WHOLE)
    resumed = fake.requests[-1][0]
    assert resumed["date_created__gte"] == rows[59]["date_created"].replace(
        "+00:00", ".000000+00:00"
    )
    assert stats.rows_reread == 1  # only the last row before the cut is read again
    assert stats.requests == 6 + 1


def test_too_many_rows_on_one_date_is_an_error_not_a_loop() -> None:
    rows = _rows([5] * 80)
    spec = ResourceSpec(SPEC.name, SPEC.path, window_field="date_created", max_skip=50)
    with pytest.raises(WindowTooDenseError, match="more than 50 rows share the date"):
        _walk(FakeList(rows, 10, 50), spec, WHOLE)


def test_walk_refuses_unwindowed_specs() -> None:
    with pytest.raises(ValueError, match="not a windowed offset resource"):
        list(iter_windowed(FakeList([], 10, 10).read, resource_spec("lead"), WHOLE, WalkStats()))
