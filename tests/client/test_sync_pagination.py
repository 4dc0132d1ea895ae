"""CloseClient pagination against the sandbox: offset, cursors, max-skip, max_items."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from airflow_provider_close.client import (
    CloseClient,
    CloseMaxSkipError,
    ClosePaginationLimitError,
)
from airflow_provider_close.sandbox import CloseSandbox
from tests.client.conftest import create_leads


def drain(items: Iterator[dict[str, Any]], into: list[dict[str, Any]]) -> None:
    """Append items one by one, so those yielded before an error are kept."""
    for item in items:
        into.append(item)


def list_queries(sandbox: CloseSandbox, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in sandbox.requests if r.method == "GET" and r.path == path]


def test_450_leads_at_the_default_page_size_and_at_small_ones(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    ids = sorted(create_leads(client, 450))
    for page_size, limits, skips in [
        (None, ["200"] * 3, ["0", "200", "400"]),
        (7, ["7"] * 65, [str(7 * n) for n in range(65)]),
        (150, ["150"] * 3, ["0", "150", "300"]),
    ]:
        before = len(sandbox.requests)
        pages = list(client.iter_pages("lead", page_size=page_size, fields="id"))
        assert sorted(item["id"] for page in pages for item in page.items) == ids
        queries = [parse_qs(r.query) for r in sandbox.requests[before:]]
        assert [q["_limit"][0] for q in queries] == limits
        assert [q.get("_skip", ["0"])[0] for q in queries] == skips
        assert len(pages) == len(limits)


def test_items_are_lazy(client: CloseClient, sandbox: CloseSandbox) -> None:
    create_leads(client, 5)
    before = len(sandbox.requests)
    iterator = client.iter_items("lead", page_size=2)
    assert len(sandbox.requests) == before
    next(iterator)
    assert len(sandbox.requests) == before + 1


def test_max_items_yields_n_then_raises(client: CloseClient) -> None:
    create_leads(client, 10)
    seen: list[dict[str, Any]] = []
    with pytest.raises(ClosePaginationLimitError) as excinfo:
        drain(client.iter_items("lead", page_size=3, max_items=5), seen)
    assert len(seen) == 5
    assert excinfo.value.max_items == 5


@pytest.mark.parametrize("max_items", [10, 11])
def test_max_items_not_exceeded_is_silent(client: CloseClient, max_items: int) -> None:
    create_leads(client, 10)
    assert len(list(client.iter_items("lead", page_size=3, max_items=max_items))) == 10


def test_max_skip_pages_before_the_limit_were_yielded(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    create_leads(client, 12)
    sandbox.set_limits(max_skip={"lead": 4})
    seen: list[dict[str, Any]] = []
    with pytest.raises(CloseMaxSkipError) as excinfo:
        drain(client.iter_items("lead", page_size=3), seen)
    # skips 0 and 3 are within max_skip=4, skip 6 is not: the first two pages were yielded
    assert len(seen) == 6
    assert excinfo.value.max_skip == 4
    assert excinfo.value.status == 400


def test_event_cursor_walk_resends_the_filters(client: CloseClient, sandbox: CloseSandbox) -> None:
    ids = create_leads(client, 7)
    before = len(sandbox.requests)
    events = list(client.iter_events({"object_type": "lead", "action": "created"}, page_size=3))
    assert sorted(e["object_id"] for e in events) == sorted(ids)
    queries = [parse_qs(r.query) for r in sandbox.requests[before:]]
    assert len(queries) == 3
    assert all(q["object_type"] == ["lead"] and q["action"] == ["created"] for q in queries)
    assert "_cursor" not in queries[0]
    assert all("_cursor" in q for q in queries[1:])


def test_event_max_items(client: CloseClient) -> None:
    create_leads(client, 4)
    with pytest.raises(ClosePaginationLimitError):
        list(client.iter_events({"object_type": "lead", "action": "created"}, max_items=3))


def test_search_cursor_walk(client: CloseClient, sandbox: CloseSandbox) -> None:
    ids = create_leads(client, 5)
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes
    body = {"query": {"type": "object_type", "object_type": "lead"}}
    found = list(client.iter_search(body, page_size=2))
    assert sorted(item["id"] for item in found) == sorted(ids)
    searches = [r for r in sandbox.requests if r.path == "/data/search/"]
    assert [r.method for r in searches] == ["POST"] * 3


def test_small_config_lists_without_has_more(client: CloseClient) -> None:
    statuses = list(client.iter_items("status/lead"))
    assert statuses
    assert all(s["id"].startswith("stat_") for s in statuses)


def test_sandbox_page_requests_are_counted(
    make_client: Callable[..., CloseClient], sandbox: CloseSandbox
) -> None:
    client = make_client()
    create_leads(client, 3)
    list(client.iter_items("lead", page_size=1))
    assert len(list_queries(sandbox, "/lead/")) == 3
