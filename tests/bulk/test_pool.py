"""The worker pool: bounded coroutines, results in order, the bound follows the budget."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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


async def test_pools_sharing_a_limiter_stay_within_its_bound_together() -> None:
    client = _Client(last_rate_limit=RateLimitInfo(limit=None, remaining=5, reset=1.0))
    limiter = AdaptiveLimiter(3, start=3)
    started: list[tuple[str, int]] = []
    most = [0]

    def work(pool: str) -> Callable[[float], Awaitable[float]]:
        async def run(seconds: float) -> float:
            started.append((pool, limiter.in_flight))
            most[0] = max(most[0], limiter.in_flight)
            await asyncio.sleep(seconds)
            return seconds

        return run

    drained = asyncio.Event()
    first = asyncio.ensure_future(
        run_pool(client, limiter, [0.01, 0.01, 0.2], work("a"), on_drained=drained.set)  # type: ignore[arg-type]
    )
    await drained.wait()  # every item of the first pool taken; its slow one still runs
    second = await run_pool(client, limiter, [0.01] * 6, work("b"))  # type: ignore[arg-type]
    assert not first.done()  # the second pool ran beside the first's slow item...
    assert await first == [0.01, 0.01, 0.2]
    assert second == [0.01] * 6
    assert most[0] <= 3  # ...and both together never had more than the bound in flight
    assert limiter.workers == 0  # every place given back


async def test_a_place_the_first_pool_leaves_goes_to_the_next_at_once() -> None:
    client = _Client(last_rate_limit=RateLimitInfo(limit=None, remaining=5, reset=1.0))
    limiter = AdaptiveLimiter(2, start=2)
    in_flight_at_start: list[int] = []

    async def slow(seconds: float) -> float:
        await asyncio.sleep(seconds)
        return seconds

    async def counted(seconds: float) -> float:
        in_flight_at_start.append(limiter.in_flight)
        return await slow(seconds)

    drained = asyncio.Event()
    first = asyncio.ensure_future(
        run_pool(client, limiter, [0.05, 0.3, 0.3], slow, on_drained=drained.set)  # type: ignore[arg-type]
    )
    await drained.wait()  # one worker found nothing left; the other still runs its 0.3 s item
    second = await run_pool(client, limiter, [0.3, 0.3], counted)  # type: ignore[arg-type]
    await first
    # the second pool began with the one free place (beside the first's last item); when the
    # first pool's last worker left, its place went to the second pool there and then, not
    # once the second's own first item ended (then its second would start alone: [2, 1])
    assert second == [0.3, 0.3]
    assert in_flight_at_start == [2, 2]
