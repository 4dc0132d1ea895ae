"""Next-page parameters and the sans-I/O paginator (max_items, cursors, ordering)."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_close.client.errors import CloseError, ClosePaginationLimitError
from airflow_provider_close.client.pagination import (
    Paginator,
    next_event_params,
    next_offset_params,
    next_search_body,
)
from airflow_provider_close.client.paginators import (
    event_paginator,
    first_list_params,
    offset_paginator,
    search_paginator,
)


@pytest.mark.parametrize(
    ("path", "params", "page_size", "max_items", "expected"),
    [
        ("lead/", None, None, None, {"_limit": 200}),
        ("/lead", None, None, None, {"_limit": 200}),
        ("contact/", {"lead_id": "lead_1"}, None, None, {"lead_id": "lead_1", "_limit": 100}),
        ("task/", None, None, None, {"_limit": 1000, "_order_by": "date_created"}),
        ("opportunity/", None, None, None, {"_limit": 250, "_order_by": "date_created"}),
        ("activity/call/", None, None, None, {"_limit": 100, "_order_by": "date_created"}),
        ("activity/", None, None, None, {"_limit": 100, "_order_by": "date_created"}),
        (
            "activity/",
            {"lead_id": "l", "_order_by": "-activity_at"},
            None,
            None,
            {"lead_id": "l", "_order_by": "-activity_at", "_limit": 100},
        ),
        ("task/", {"_order_by": "-date"}, None, None, {"_order_by": "-date", "_limit": 1000}),
        ("custom_field/lead/", None, None, None, {"_limit": 1000}),
        ("status/lead/", None, None, None, {}),  # documents no _limit
        ("pipeline/", {"_fields": "id"}, None, None, {"_fields": "id"}),
        ("lead/", None, 50, None, {"_limit": 50}),
        ("lead/", {"_limit": 7}, None, None, {"_limit": 7}),
        ("lead/", None, None, 5, {"_limit": 6}),  # no bigger than needed to see item 6
        ("lead/", None, 3, 5, {"_limit": 3}),
        ("lead/", None, None, 0, {"_limit": 1}),
    ],
)
def test_first_list_params(
    path: str,
    params: dict[str, Any] | None,
    page_size: int | None,
    max_items: int | None,
    expected: dict[str, Any],
) -> None:
    assert first_list_params(path, params, page_size, max_items) == expected


@pytest.mark.parametrize(
    ("params", "page", "expected"),
    [
        ({"_limit": 2}, {"data": [{}, {}], "has_more": True}, {"_limit": 2, "_skip": 2}),
        (
            {"_limit": 2, "_skip": 4},
            {"data": [{}, {}], "has_more": True},
            {"_limit": 2, "_skip": 6},
        ),
        ({"_limit": 5}, {"data": [{}, {}], "has_more": True}, {"_limit": 5, "_skip": 2}),
        ({"_limit": 2}, {"data": [{}, {}], "has_more": False}, None),
        ({"_limit": 2}, {"data": [{}, {}]}, None),  # config lists omit has_more
    ],
)
def test_next_offset_params(
    params: dict[str, Any], page: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    assert next_offset_params(params, page) == expected


def test_has_more_on_an_empty_page_refuses_to_loop() -> None:
    with pytest.raises(CloseError, match="empty page"):
        next_offset_params({"_limit": 2}, {"data": [], "has_more": True})


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            {"data": [{}], "cursor_next": "c2"},
            {"object_type": "lead", "_limit": 50, "_cursor": "c2"},
        ),
        ({"data": [{}], "cursor_next": None}, None),
        ({"data": []}, None),
    ],
)
def test_next_event_params_resends_the_filters(
    page: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    params = {"object_type": "lead", "_limit": 50, "_cursor": "c1"}
    assert next_event_params(params, page) == expected


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ({"data": [{}], "cursor": "c2"}, {"query": {"type": "and"}, "_limit": 10, "cursor": "c2"}),
        ({"data": [{}], "cursor": None}, None),
        ({"data": [{}], "cursor": ""}, None),
    ],
)
def test_next_search_body(page: dict[str, Any], expected: dict[str, Any] | None) -> None:
    assert next_search_body({"query": {"type": "and"}, "_limit": 10}, page) == expected


def walk(pager: Paginator, responses: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """Drive a paginator over canned responses; return (requests made, items yielded)."""
    requests, items = [], []
    replies = iter(responses)
    while (request := pager.next_request()) is not None:
        requests.append(request)
        page = pager.on_page(next(replies))
        if page is not None:
            items.extend(page.items)
        pager.raise_if_over_limit()
    return requests, items


def offset_pages(total: int, size: int) -> list[dict[str, Any]]:
    chunks = [list(range(i, min(i + size, total))) for i in range(0, total, size)] or [[]]
    return [
        {"data": [{"n": n} for n in chunk], "has_more": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]


@pytest.mark.parametrize(("total", "size", "pages"), [(450, 200, 3), (400, 200, 2), (0, 200, 1)])
def test_offset_walk_reads_every_item(total: int, size: int, pages: int) -> None:
    requests, items = walk(offset_paginator("lead/", page_size=size), offset_pages(total, size))
    assert [i["n"] for i in items] == list(range(total))
    assert [r.params.get("_skip", 0) for r in requests] == [size * p for p in range(pages)]


def test_max_items_yields_then_raises_when_the_page_has_more() -> None:
    pager = offset_paginator("lead/", max_items=3)
    assert pager.next_request() is not None
    page = pager.on_page({"data": [{"n": n} for n in range(4)], "has_more": True})
    assert page is not None
    assert [i["n"] for i in page.items] == [0, 1, 2]
    with pytest.raises(ClosePaginationLimitError) as excinfo:
        pager.raise_if_over_limit()
    assert (excinfo.value.max_items, excinfo.value.path) == (3, "lead/")
    assert pager.next_request() is None


def test_max_items_exactly_reached_with_has_more_raises_without_another_request() -> None:
    pager = offset_paginator("lead/", page_size=2, max_items=2)
    first = pager.next_request()
    assert first is not None
    page = pager.on_page({"data": [{"n": 0}, {"n": 1}], "has_more": True})
    assert page is not None
    assert len(page.items) == 2
    with pytest.raises(ClosePaginationLimitError):
        pager.raise_if_over_limit()


@pytest.mark.parametrize("max_items", [3, 5, 100])
def test_max_items_not_exceeded_is_silent(max_items: int) -> None:
    _, items = walk(offset_paginator("lead/", page_size=3, max_items=max_items), offset_pages(3, 3))
    assert len(items) == 3


def test_cursor_walk_with_max_items_probes_the_next_page() -> None:
    pager = event_paginator({"object_type": "lead"}, max_items=2)
    responses = [
        {"data": [{"n": 0}, {"n": 1}], "cursor_next": "c"},
        {"data": [], "cursor_next": None},
    ]
    requests, items = walk(pager, responses)
    assert len(items) == 2
    assert len(requests) == 2
    pager = event_paginator({"object_type": "lead"}, max_items=2)
    with pytest.raises(ClosePaginationLimitError):
        walk(pager, [{"data": [{"n": 0}, {"n": 1}], "cursor_next": "c"}, {"data": [{"n": 2}]}])


def test_search_walk_puts_cursor_and_limit_in_the_body() -> None:
    pager = search_paginator({"query": {"type": "match_all"}}, page_size=2)
    requests, items = walk(
        pager, [{"data": [{"n": 0}, {"n": 1}], "cursor": "x"}, {"data": [{"n": 2}], "cursor": None}]
    )
    assert [r.method for r in requests] == ["POST", "POST"]
    assert requests[0].json == {"query": {"type": "match_all"}, "_limit": 2}
    assert requests[1].json == {"query": {"type": "match_all"}, "_limit": 2, "cursor": "x"}
    assert len(items) == 3


def test_a_response_without_data_is_an_error() -> None:
    pager = offset_paginator("lead/")
    pager.next_request()
    with pytest.raises(CloseError, match="no 'data' list"):
        pager.on_page({"id": "lead_1"})


@pytest.mark.parametrize(("page_size", "params"), [(-1, None), (None, {"_limit": -3})])
def test_page_size_must_be_positive(page_size: int | None, params: dict[str, Any] | None) -> None:
    with pytest.raises(ValueError, match="page_size"):
        offset_paginator("lead/", params, page_size=page_size)
