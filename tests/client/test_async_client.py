"""AsyncCloseClient against the sandbox: the same behaviour as the sync client, awaited."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from airflow_provider_close.client import (
    AsyncCloseClient,
    CloseNotFoundError,
    ClosePaginationLimitError,
    CloseRateLimitError,
    CloseUnknownOutcomeError,
    RetryPolicy,
    no_jitter,
)
from airflow_provider_close.sandbox import CloseSandbox, Fault


async def drain(items: AsyncIterator[dict[str, Any]], into: list[str]) -> None:
    """Collect ids one by one, so those yielded before an error are kept."""
    async for item in items:
        into.append(item["id"])


async def create_leads(client: AsyncCloseClient, count: int) -> list[str]:
    results = await asyncio.gather(
        *(client.post("lead", {"name": f"Lead {n:03d}"}) for n in range(count))
    )
    return [lead["id"] for lead in results]


async def test_crud_round_trip(async_client: AsyncCloseClient) -> None:
    lead = await async_client.post("lead", {"name": "Acme"})
    assert (await async_client.get(f"lead/{lead['id']}", fields="id"))["id"] == lead["id"]
    assert (await async_client.put(f"lead/{lead['id']}", {"url": "https://a.example"}))["url"]
    assert await async_client.delete(f"lead/{lead['id']}") == {}
    with pytest.raises(CloseNotFoundError):
        await async_client.get(f"lead/{lead['id']}")


@pytest.mark.parametrize("kind", ["rate_limit", "rate_limit_no_body"])
async def test_429_waits_what_the_server_said(
    async_client: AsyncCloseClient, sandbox: CloseSandbox, sleeps: list[float], kind: str
) -> None:
    sandbox.add_fault(Fault(kind, method="GET", path="/me/", times=2, retry_after=2))  # type: ignore[arg-type]
    assert (await async_client.get("me"))["id"].startswith("user_")
    assert sleeps == [2.0, 2.0]
    assert async_client.stats.rate_limited == 2


async def test_429_exhausted(async_client: AsyncCloseClient, sandbox: CloseSandbox) -> None:
    sandbox.add_fault(Fault("rate_limit", method="GET", path="/me/", retry_after=1))
    with pytest.raises(CloseRateLimitError):
        await async_client.get("me")
    # 429s use none of the 4 attempts: waited out until max_total_wait (60 s of 1 s waits)
    assert len(sandbox.requests) == 61


async def test_5xx_on_get_is_retried(
    async_client: AsyncCloseClient, sandbox: CloseSandbox, sleeps: list[float]
) -> None:
    sandbox.add_fault(Fault("server_error", method="GET", path="/me/", times=1, status=502))
    assert (await async_client.get("me"))["id"].startswith("user_")
    assert sleeps == [0.5]


@pytest.mark.parametrize(
    "fault",
    [
        Fault("server_error", method="POST", path="/lead/", times=1, status=500),
        Fault("drop_after", method="POST", path="/lead/", times=1),
    ],
)
async def test_post_failures_are_never_resent(
    async_client: AsyncCloseClient, sandbox: CloseSandbox, fault: Fault
) -> None:
    sandbox.add_fault(fault)
    with pytest.raises(CloseUnknownOutcomeError):
        await async_client.post("lead", {"name": "Maybe"})
    assert sum(1 for r in sandbox.requests if r.method == "POST") == 1


async def test_dropped_get_is_retried(
    async_client: AsyncCloseClient, sandbox: CloseSandbox
) -> None:
    sandbox.add_fault(Fault("drop_before", method="GET", path="/me/", times=1))
    assert (await async_client.get("me"))["id"].startswith("user_")
    assert [r.status for r in sandbox.requests] == [None, 200]


async def test_offset_pages_and_max_items(
    async_client: AsyncCloseClient, sandbox: CloseSandbox
) -> None:
    ids = await create_leads(async_client, 25)
    before = len(sandbox.requests)
    got = [item["id"] async for item in async_client.iter_items("lead", page_size=10)]
    assert sorted(got) == sorted(ids)
    skips = [parse_qs(r.query).get("_skip", ["0"])[0] for r in sandbox.requests[before:]]
    assert skips == ["0", "10", "20"]
    pages = [page async for page in async_client.iter_pages("lead", page_size=10)]
    assert [len(page.items) for page in pages] == [10, 10, 5]
    seen: list[str] = []
    with pytest.raises(ClosePaginationLimitError):
        await drain(async_client.iter_items("lead", max_items=24), seen)
    assert len(seen) == 24


async def test_event_and_search_cursors(
    async_client: AsyncCloseClient, sandbox: CloseSandbox
) -> None:
    ids = await create_leads(async_client, 5)
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes
    events = [
        event
        async for event in async_client.iter_events(
            {"object_type": "lead", "action": "created"}, page_size=2
        )
    ]
    assert sorted(e["object_id"] for e in events) == sorted(ids)
    body = {"query": {"type": "object_type", "object_type": "lead"}}
    found = [item["id"] async for item in async_client.iter_search(body, page_size=2)]
    assert sorted(found) == sorted(ids)


async def test_many_concurrent_tasks_share_one_throttle_without_a_429(
    sandbox: CloseSandbox,
) -> None:
    sandbox.set_rate_limit("me:read", 10, 1.0)
    async with AsyncCloseClient(
        api_key=sandbox.api_key, base_url=sandbox.api_url, retry=RetryPolicy(jitter=no_jitter)
    ) as client:
        await client.get("me")  # learn the limit
        results = await asyncio.gather(*(client.get("me") for _ in range(24)))
    assert len(results) == 24
    assert client.stats.rate_limited == 0
    assert client.stats.throttled > 0
    assert [r.status for r in sandbox.requests].count(429) == 0
