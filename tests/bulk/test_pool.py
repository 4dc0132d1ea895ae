"""The worker pool: bounded coroutines, results in order, the bound follows the budget."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from airflow_provider_close.bulk.concurrency import (
    AdaptiveLimiter,
    budget_concurrency,
    next_concurrency,
)
from airflow_provider_close.bulk.pool import run_pool
from airflow_provider_close.client.ratelimit import RateLimitInfo


@dataclass
class _Stats:
    rate_limited: int = 0
    requests: int = 0


@dataclass
class _Client:
    stats: _Stats = field(default_factory=_Stats)
    last_rate_limit: RateLimitInfo | None = None
    by_group: dict[tuple[str, str], RateLimitInfo] = field(default_factory=dict)

    def rate_limit_for(self, method: str, path: str) -> RateLimitInfo | None:
        return self.by_group.get((method, path), self.last_rate_limit)


async def test_pool_keeps_order_and_runs_no_more_than_the_bound() -> None:
    client = _Client(last_rate_limit=RateLimitInfo(limit=None, remaining=5, reset=1.0))
    limiter = AdaptiveLimiter(3, start=2)
    alive: list[int] = []

    async def work(item: int) -> int:
        alive.append(len([t for t in asyncio.all_tasks() if not t.done()]))
        await asyncio.sleep(0)
        return item * 10

    results = await run_pool(client, limiter, list(range(500)), work)  # type: ignore[arg-type]
    assert results == [i * 10 for i in range(500)]
    assert limiter.peak == 3
    assert max(alive) <= 3 + 1  # the workers and the test's own task, not one per item


async def test_pool_sizes_itself_from_rate_times_round_trip() -> None:
    client = _Client(last_rate_limit=RateLimitInfo(limit=100, remaining=90, reset=1.0))
    limiter = AdaptiveLimiter(64, start=1)

    async def work(item: int) -> int:
        await asyncio.sleep(0.02)
        return item

    await run_pool(client, limiter, list(range(60)), work)  # type: ignore[arg-type]
    assert limiter.peak >= 3  # the pool grew from one worker to the budget's size
    assert limiter.round_trip is not None
    assert 0.015 < limiter.round_trip < 0.1
    assert limiter.limit == budget_concurrency(100, 1.0, limiter.round_trip, 64)
    assert 3 <= limiter.limit <= 12  # 100/s x ~20 ms x headroom, not the cap of 64


class _Shrinking(AdaptiveLimiter):
    """A limiter whose bound falls by one after every item."""

    async def feedback(self, rate_limited_total: int, reading: object) -> None:
        self.limit = max(1, self.limit - 1)


async def test_pool_shrinks_with_the_bound_and_reraises_a_failure() -> None:
    limiter = _Shrinking(8, start=8)
    in_flight: list[int] = []

    async def work(item: int) -> int:
        in_flight.append(limiter.in_flight)
        await asyncio.sleep(0)
        if item == 60:
            raise RuntimeError("boom")
        return item

    with pytest.raises(RuntimeError, match="boom"):
        await run_pool(_Client(), limiter, list(range(100)), work)  # type: ignore[arg-type]
    assert in_flight[:8] == list(range(1, 9))
    assert in_flight[-20:] == [1] * 20  # the extra workers exited: one row at a time
    assert limiter.in_flight == 0


async def test_limiter_slot_hands_a_release_to_one_waiter() -> None:
    limiter = AdaptiveLimiter(2, start=2)
    most = 0

    async def work() -> None:
        nonlocal most
        async with limiter.slot():
            most = max(most, limiter.in_flight)
            await asyncio.sleep(0)

    await asyncio.gather(*(work() for _ in range(50)))
    assert most == 2
    assert limiter.in_flight == 0
    assert not limiter._waiters


@pytest.mark.parametrize(
    ("reading", "window", "round_trip", "expected"),
    [
        (RateLimitInfo(100, 50, 1.0), 1.0, 0.2, 8),  # the cap: 100/s x 0.2 s x 1.5 + 1 = 31
        (RateLimitInfo(20, 10, 1.0), 1.0, 0.05, 3),  # 20/s x 50 ms x 1.5 + 1
        (RateLimitInfo(100, 80, 1.0), 0.0, 0.2, 5),  # window unknown: grow by one
    ],
)
def test_next_concurrency_from_the_budget(
    reading: RateLimitInfo, window: float, round_trip: float, expected: int
) -> None:
    got = next_concurrency(4, 8, 0, reading, window=window, round_trip=round_trip)
    assert got == expected


async def test_pool_is_sized_from_the_writes_group_not_the_last_reading() -> None:
    # The searches' group answered last with a big budget; the writes' group allows 10/s.
    client = _Client(
        last_rate_limit=RateLimitInfo(limit=1000, remaining=900, reset=1.0),
        by_group={("POST", "lead/"): RateLimitInfo(limit=10, remaining=9, reset=1.0)},
    )
    limiter = AdaptiveLimiter(64, start=1)

    async def work(item: int) -> int:
        await asyncio.sleep(0.05)
        return item

    await run_pool(client, limiter, list(range(30)), work)  # type: ignore[arg-type]
    assert limiter.round_trip is not None
    assert limiter.limit == budget_concurrency(10, 1.0, limiter.round_trip, 64)
    assert limiter.limit <= 3  # 10/s x ~50 ms x headroom, not 1000/s x 50 ms
