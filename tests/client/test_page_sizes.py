"""Page sizes learned from Close's ``max_limit`` 400, and lists Close documents without paging."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import httpx
import pytest

from airflow_provider_close.client import AsyncCloseClient, CloseClient, CloseMaxLimitError
from airflow_provider_close.sandbox import CloseSandbox
from tests.client.conftest import create_leads

REFUSAL = "The limit you set is larger than the maximum limit for this resource (max_limit = 5)."


def _limits(sandbox: CloseSandbox, path: str) -> list[tuple[str, int | None]]:
    return [
        (parse_qs(r.query).get("_limit", ["-"])[0], r.status)
        for r in sandbox.requests
        if r.path == path and r.method == "GET"
    ]


def test_a_refused_page_size_is_learned_used_from_then_on_and_logged_once(
    client: CloseClient, sandbox: CloseSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    ids = create_leads(client, 8)
    sandbox.set_limits(max_limit={"lead": 3})
    caplog.set_level(logging.INFO, logger="airflow_provider_close.client")
    assert sorted(lead["id"] for lead in client.iter_items("lead/")) == sorted(ids)
    assert _limits(sandbox, "/lead/") == [("200", 400), ("3", 200), ("3", 200), ("3", 200)]
    assert client.learned_page_sizes == {"lead/": 3}
    before = len(sandbox.requests)
    assert len(list(client.iter_items("lead/", page_size=50))) == 8
    assert {q for q, _ in _limits(sandbox, "/lead/")[4:]} == {"3"}  # no second refusal
    assert len(sandbox.requests) - before == 3
    learned = [r for r in caplog.records if "at most 3 items per page on lead/" in r.getMessage()]
    assert len(learned) == 1


def test_search_page_sizes_are_learned_too(client: CloseClient, sandbox: CloseSandbox) -> None:
    ids = create_leads(client, 5)
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
    sandbox.set_limits(max_limit={"search": 2})
    body = {"query": {"type": "object_type", "object_type": "lead"}, "_fields": {"lead": ["id"]}}
    assert sorted(lead["id"] for lead in client.iter_search(body)) == sorted(ids)
    assert client.learned_page_sizes == {"data/search/": 2}


async def test_the_async_client_learns_the_same_way(
    client: CloseClient, async_client: AsyncCloseClient, sandbox: CloseSandbox
) -> None:
    ids = create_leads(client, 7)
    sandbox.set_limits(max_limit={"lead": 4})
    assert sorted([lead["id"] async for lead in async_client.iter_items("lead/")]) == sorted(ids)
    assert async_client.learned_page_sizes == {"lead/": 4}


def test_a_refusal_that_does_not_shrink_the_page_is_raised_not_looped() -> None:
    sent: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.params["_limit"])
        return httpx.Response(400, json={"error": REFUSAL})

    client = CloseClient(api_key="k", transport=httpx.MockTransport(refuse))
    with pytest.raises(CloseMaxLimitError) as caught:
        list(client.iter_items("lead/", page_size=5))
    assert caught.value.max_limit == 5
    assert sent == ["5"]


def test_unpaged_lists_are_read_in_one_request_without_limit(
    client: CloseClient, seeded_sandbox: CloseSandbox
) -> None:
    for path in ("status/lead/", "status/opportunity/", "pipeline/"):
        assert list(client.iter_items(path))
    queries = [r.query for r in seeded_sandbox.requests]
    assert queries == ["", "", ""]


@pytest.mark.parametrize("path", ["status/lead/", "status/opportunity/", "pipeline/"])
def test_the_sandbox_refuses_paging_parameters_on_unpaged_lists(
    sandbox: CloseSandbox, path: str
) -> None:
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, "")) as raw:
        refused = raw.get(path, params={"_limit": 10})
    assert refused.status_code == 400
    assert "_limit" in refused.json()["error"]
