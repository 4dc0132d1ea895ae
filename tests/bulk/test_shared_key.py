"""Two upserts sharing one API key: 429s are waited out, never fail a row (issue 14 item 3).

Each run has its own client (its own throttle), as two Airflow tasks would; the sandbox limits
``lead:write`` per key, and refuses a share of lead creates with a 429 besides, so the runs
certainly meet 429s. The retry policy allows a single attempt for errors: a 429 that used it
up would fail its row.
"""

from __future__ import annotations

import asyncio
from typing import Any

from airflow_provider_close.bulk.engine import UpsertOptions, UpsertRun, upsert_leads
from airflow_provider_close.client.asynchronous import AsyncCloseClient
from airflow_provider_close.client.retry import RetryPolicy
from airflow_provider_close.sandbox import CloseSandbox, Fault
from tests.bulk.test_engine_sandbox import MAPPING, _ext_counts, _keys, _rows
from tests.settle_clock import SandboxSettleClock

ONE_ERROR_ATTEMPT = RetryPolicy(max_attempts=1, max_total_wait=60.0, backoff_base=0.05)


async def _upsert(sandbox: CloseSandbox, rows: list[dict[str, Any]]) -> UpsertRun:
    key, custom = _keys(sandbox)
    options = UpsertOptions(max_concurrency=8, clock=SandboxSettleClock(sandbox))
    async with AsyncCloseClient(
        api_key=sandbox.api_key, base_url=sandbox.api_url, retry=ONE_ERROR_ATTEMPT
    ) as client:
        return await upsert_leads(client, rows, MAPPING, key, custom, options=options)


async def test_two_upserts_sharing_one_key_fail_no_row(seeded_sandbox: CloseSandbox) -> None:
    seeded_sandbox.set_rate_limit("lead:write", 40, 1.0)
    seeded_sandbox.add_fault(
        Fault("rate_limit", method="POST", path="/lead/", probability=0.15, seed=3, retry_after=0.1)
    )
    first, second = await asyncio.gather(
        _upsert(seeded_sandbox, _rows(60, "ONE")), _upsert(seeded_sandbox, _rows(60, "TWO"))
    )
    actions = [r["action"] for r in (*first.results, *second.results)]
    assert actions == ["created"] * 120
    assert first.rate_limited + second.rate_limited > 0
    counts = _ext_counts(seeded_sandbox)
    assert all(counts[f"{p}-{i}"] == 1 for p in ("ONE", "TWO") for i in range(60))
