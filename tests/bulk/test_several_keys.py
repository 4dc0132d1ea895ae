"""One upsert through several API keys of one organisation: one queue, one pool per key.

Each key's pool is sized from that key's own budget; the organisation allows 3x one key's
(close-api.md §4), so three keys can together write at three times one key's limit.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter, budget_concurrency
from airflow_provider_close.bulk.engine import UpsertOptions, upsert_leads
from airflow_provider_close.bulk.pool import run_pools
from airflow_provider_close.client.asynchronous import AsyncCloseClient
from airflow_provider_close.client.ratelimit import RateLimitInfo
from airflow_provider_close.sandbox import CloseSandbox
from tests.bulk.test_engine_sandbox import MAPPING, _ext_counts, _keys, _rows
from tests.bulk.test_pool import _Stats
from tests.settle_clock import SandboxSettleClock


@dataclass
class _Client:
    reading: RateLimitInfo
    stats: _Stats = field(default_factory=_Stats)
    last_rate_limit: RateLimitInfo | None = None

    def rate_limit_for(self, _method: str, _path: str) -> RateLimitInfo:
        return self.reading


async def test_pools_share_one_queue_and_each_follows_its_own_key() -> None:
    small = _Client(RateLimitInfo(limit=10, remaining=9, reset=1.0))
    large = _Client(RateLimitInfo(limit=200, remaining=190, reset=1.0))
    limiters = [AdaptiveLimiter(64, start=1), AdaptiveLimiter(64, start=1)]
    took: Counter[int] = Counter()

    def work_on(lane: int):  # type: ignore[no-untyped-def]
        async def work(item: int) -> int:
            took[lane] += 1
            await asyncio.sleep(0.02)
            return item * 2

        return work

    lanes = [(small, limiters[0], work_on(0)), (large, limiters[1], work_on(1))]
    results = await run_pools(lanes, list(range(200)), group=("POST", "lead/"))  # type: ignore[arg-type]

    assert results == [i * 2 for i in range(200)]  # every item once, in order
    assert took[0] + took[1] == 200
    assert took[1] > 3 * took[0]  # the larger budget took most of the queue
    for limiter, client in zip(limiters, (small, large), strict=True):
        assert limiter.round_trip is not None
        limit = client.reading.limit or 0
        assert limiter.limit == budget_concurrency(limit, 1.0, limiter.round_trip, 64)


async def test_an_upsert_through_three_keys_writes_every_row_once_using_each_key() -> None:
    keys = [f"api_{n}" + "k" * 40 for n in "abc"]
    with CloseSandbox(api_key=keys[0], api_keys=keys[1:], seed="demo") as sandbox:
        sandbox.set_rate_limit("lead:write", 1000, 1.0)
        key, custom = _keys(sandbox)
        clients = [AsyncCloseClient(api_key=k, base_url=sandbox.api_url) for k in keys]
        options = UpsertOptions(max_concurrency=4, clock=SandboxSettleClock(sandbox))
        try:
            run = await upsert_leads(
                clients[0],
                _rows(90, prefix="KEYS"),
                MAPPING,
                key,
                custom,
                options=options,
                more_clients=clients[1:],
            )
        finally:
            for client in clients:
                await client.close()
        assert Counter(r["action"] for r in run.results) == {"created": 90}
        counts = _ext_counts(sandbox)
        assert [counts[f"KEYS-{i}"] for i in range(90)] == [1] * 90
        assert all(client.stats.requests > 5 for client in clients)  # every key wrote
        assert run.peak_concurrency > 4  # more than one key's cap in flight at once
