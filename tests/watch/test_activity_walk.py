"""The keyset walk and the count kept across polls, against an in-memory list (pure).

``serve`` answers a list request the way Close's per-type lists do: date filters, ascending
``date_created`` (ties in insertion order), ``_skip``/``_limit``, ``has_more``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.client import CloseError
from airflow_provider_close.extraction.windows import format_moment, parse_moment
from airflow_provider_close.watch.activity_count import ActivityCount
from airflow_provider_close.watch.activity_query import ActivityFilter, SensorWindow
from airflow_provider_close.watch.activity_walk import KeysetWalk

T0 = datetime(2026, 3, 1, tzinfo=UTC)
CALLS = ActivityFilter.of(["call"])
Row = dict[str, Any]


def call(n: int, at: datetime) -> Row:
    return {"id": f"acti_{n:05d}", "_type": "Call", "date_created": format_moment(at)}


def serve(rows: list[Row], params: dict[str, str]) -> dict[str, Any]:
    def keep(row: Row) -> bool:
        moment = parse_moment(row["date_created"])
        bounds = {
            "date_created__gte": lambda b: moment >= b,
            "date_created__gt": lambda b: moment > b,
            "date_created__lt": lambda b: moment < b,
        }
        return all(test(parse_moment(params[k])) for k, test in bounds.items() if k in params)

    listed = sorted(filter(keep, rows), key=lambda r: parse_moment(r["date_created"]))
    skip, limit = int(params.get("_skip", 0)), int(params["_limit"])
    return {"data": listed[skip : skip + limit], "has_more": len(listed) > skip + limit}


def walk_all(
    walk: KeysetWalk, rows: list[Row], between: Callable[[int], None] = lambda _: None
) -> list[str]:
    seen: list[str] = []
    while (params := walk.next_params()) is not None:
        assert walk.pages < 100, "the walk does not progress"
        seen += [str(r["id"]) for r in walk.on_page(serve(rows, params))]
        between(walk.pages)
    return seen


def plan_params(window: SensorWindow) -> dict[str, str]:
    return {**window.params(), "_order_by": "date_created"}


def test_walks_every_row_once_reading_one_row_twice_per_page() -> None:
    rows = [call(i, T0 + timedelta(seconds=i)) for i in range(250)]
    walk = KeysetWalk("activity/call/", plan_params(SensorWindow(T0)), 100)
    assert walk_all(walk, rows) == [r["id"] for r in rows]
    assert walk.pages == 3  # 100 + 99 + 51 new rows


def test_rows_deleted_or_created_between_pages_shift_nothing() -> None:
    rows = [call(i, T0 + timedelta(seconds=i)) for i in range(300)]
    stable = {r["id"] for r in rows} - {r["id"] for r in rows[50:60]} - {rows[99]["id"]}

    def mutate(pages: int) -> None:
        if pages == 1:  # after page 1: delete rows it returned (even its last), add some ahead
            del rows[50:60]
            rows.remove(next(r for r in rows if r["id"] == "acti_00099"))
            rows.extend(call(1000 + i, T0 + timedelta(seconds=i, milliseconds=500)) for i in (3, 7))

    seen = walk_all(KeysetWalk("activity/call/", plan_params(SensorWindow(T0)), 100), rows, mutate)
    assert len(seen) == len(set(seen))
    assert stable <= set(seen)


def test_more_ties_than_a_page_are_paged_with_skip_inside_the_date() -> None:
    rows = [call(i, T0) for i in range(230)] + [call(900, T0 + timedelta(seconds=1))]
    walk = KeysetWalk("activity/call/", plan_params(SensorWindow(T0)), 100)
    assert walk_all(walk, rows) == [r["id"] for r in rows]


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ({"data": [], "has_more": True}, "has_more is true on an empty page"),
        (
            {"data": [call(2, T0 + timedelta(seconds=2)), call(1, T0)], "has_more": False},
            "not in ascending date_created order",
        ),
    ],
)
def test_a_page_that_breaks_the_contract_is_an_error(page: dict[str, Any], message: str) -> None:
    walk = KeysetWalk("activity/call/", plan_params(SensorWindow(T0)), 100)
    with pytest.raises(CloseError, match=message):
        walk.on_page(page)


def test_the_walk_needs_the_date_ordering() -> None:
    with pytest.raises(ValueError, match="_order_by=date_created"):
        KeysetWalk("activity/call/", {}, 100)


def poll(count: ActivityCount, rows: list[Row]) -> int:
    """One poll against ``rows``; return the requests it made."""
    requests = 0
    for walk in count.walks():
        while (params := walk.next_params()) is not None:
            requests += 1
            count.take(walk, walk.on_page(serve(rows, params)))
            if count.has_enough(walk):
                break
    return requests


def many(n: int, step: timedelta = timedelta(seconds=20)) -> list[Row]:
    return [call(i, T0 + i * step) for i in range(n)]


@pytest.mark.parametrize(("max_items", "requests"), [(10, 1), (100, 2)])
def test_min_count_stops_reading_once_the_earliest_ids_are_certain(
    max_items: int, requests: int
) -> None:
    rows = many(3000)
    count = ActivityCount(CALLS, SensorWindow(T0), min_count=1, max_items=max_items)
    assert poll(count, rows) == requests
    result = count.result()
    assert result["satisfied"]
    assert result["truncated"]
    assert result["activity_ids"] == [r["id"] for r in rows[:max_items]]


def test_a_tie_across_the_page_boundary_is_read_before_stopping() -> None:
    rows = many(300)
    rows[100] = {**call(0, T0), "id": "acti_00000a", "date_created": rows[99]["date_created"]}
    count = ActivityCount(CALLS, SensorWindow(T0), min_count=1, max_items=100)
    poll(count, rows)
    expected = sorted(rows[:101], key=lambda r: (parse_moment(r["date_created"]), r["id"]))
    assert count.result()["activity_ids"] == [r["id"] for r in expected[:100]]
    assert "acti_00000a" in count.result()["activity_ids"]


def test_exact_count_reads_every_page() -> None:
    rows = many(3000)
    count = ActivityCount(CALLS, SensorWindow(T0), min_count=1, max_items=100, exact_count=True)
    assert poll(count, rows) == 31
    assert count.result()["count"] == 3000
    assert count.result()["truncated"]


def test_later_polls_read_what_is_new_and_what_is_listed_late() -> None:
    rows = many(3000)
    count = ActivityCount(CALLS, SensorWindow(T0), min_count=5000, max_items=100)
    assert poll(count, rows) == 31
    assert poll(count, rows) == 1  # nothing new: the last 5 minutes (15 rows) re-read
    newest = T0 + 2999 * timedelta(seconds=20)
    rows.append(call(5000, newest + timedelta(seconds=1)))  # new
    rows.append(call(5001, newest - timedelta(minutes=4)))  # listed late, inside late_listing
    rows.append(call(5002, newest - timedelta(minutes=6)))  # too late: before the re-read span
    assert poll(count, rows) == 1
    assert count.result()["count"] == 3002
    assert poll(count, rows) == 1
    assert count.result()["count"] == 3002  # nothing counted twice


def test_memory_holds_only_the_ids_of_the_late_listing_span() -> None:
    count = ActivityCount(CALLS, SensorWindow(T0), min_count=10_000, max_items=10)
    poll(count, many(3000))
    recent = count._progress[0].recent  # the bound is the point of the test
    assert len(recent) == 16  # the calls of the last 5 minutes, every 20 s: not 3,000


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_count": 0}, "min_count must be at least 1"),
        ({"late_listing": timedelta(seconds=-1)}, "late_listing must not be negative"),
    ],
)
def test_bad_bounds_are_refused(kwargs: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"min_count": 1, "max_items": 1, **kwargs}
    with pytest.raises(ValueError, match=message):
        ActivityCount(CALLS, SensorWindow(T0), **arguments)
