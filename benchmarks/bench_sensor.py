"""What a new-activity poke and a trigger poll cost, with 3,000 matching calls in the window.

Real HTTP against an in-process sandbox through the real clients; requests counted by the
sandbox. Baseline: the previous behaviour, measured in the same run — every poke and every
poll walked the whole window with ``_skip`` (``client.iter_items`` over the query plan).

    .venv/bin/python benchmarks/bench_sensor.py
    .venv/bin/python benchmarks/run.py sensor
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient
    from airflow_provider_close.sandbox import CloseSandbox
    from airflow_provider_close.watch.activity_query import ActivityFilter, SensorWindow

__all__ = ["run"]

T0 = datetime(2026, 3, 1, tzinfo=UTC)
CALLS = 3_000
STEP = timedelta(seconds=20)  # 3,000 calls over 16 h 40 min of a one-day window


def _baseline_poll(client: CloseClient, found: ActivityFilter, window: SensorWindow) -> int:
    """The previous poke/poll: walk every query of the plan to its end with ``_skip``."""
    from airflow_provider_close.watch.activity_predicate import ActivityTally
    from airflow_provider_close.watch.activity_query import activity_queries

    tally = ActivityTally(found, window, 100)
    for query in activity_queries(found, window):
        for activity in client.iter_items(query["path"], query["params"]):
            tally.add(activity)
    return tally.count


def _requests(sandbox: CloseSandbox) -> int:
    return len(sandbox.requests)


def _measure(sandbox: CloseSandbox) -> list[dict[str, object]]:
    from airflow_provider_close.client import AsyncCloseClient, CloseClient
    from airflow_provider_close.watch.activity_count import ActivityCount
    from airflow_provider_close.watch.activity_fetch import apoll_activities, poll_activities
    from airflow_provider_close.watch.activity_query import ActivityFilter, SensorWindow

    found = ActivityFilter.of(["call"])
    window = SensorWindow(T0, T0 + timedelta(days=1))
    rows: list[dict[str, object]] = []

    def row(case: str, baseline: int, new: int, target: str) -> None:
        rows.append({"case": case, "baseline requests": baseline, "new requests": new})
        rows[-1]["target"] = target

    with CloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        before = _requests(sandbox)
        _baseline_poll(client, found, window)
        baseline = _requests(sandbox) - before
        for max_items, target in ((100, "<= 2"), (10, "<= 2")):
            before = _requests(sandbox)
            count = ActivityCount(found, window, min_count=1, max_items=max_items)
            assert poll_activities(client, count)["satisfied"]
            row(
                f"poke, min_count=1, max_items={max_items}",
                baseline,
                _requests(sandbox) - before,
                target,
            )
        before = _requests(sandbox)
        exact = ActivityCount(found, window, min_count=1, max_items=100, exact_count=True)
        assert poll_activities(client, exact)["count"] == CALLS
        row("poke, exact_count=True", baseline, _requests(sandbox) - before, "-")

    async def trigger_polls() -> tuple[int, int]:
        count = ActivityCount(found, window, min_count=CALLS + 1, max_items=100)
        async with AsyncCloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as aclient:
            start = _requests(sandbox)
            await apoll_activities(aclient, count)
            first = _requests(sandbox) - start
            start = _requests(sandbox)
            await apoll_activities(aclient, count)
            return first, _requests(sandbox) - start

    first, later = asyncio.run(trigger_polls())
    row("trigger, first poll (not satisfied)", baseline, first, "-")
    row("trigger, later poll, nothing new", baseline, later, "1")
    return rows


def run() -> list[dict[str, object]]:
    """Return one row per case: requests of the baseline and of the new poke/poll."""
    from airflow_provider_close.sandbox import CloseSandbox

    with CloseSandbox() as sandbox:
        for i in range(CALLS):
            sandbox.state.insert_activity("call", date_created=T0 + i * STEP)
        return _measure(sandbox)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from table import format_table

    print(format_table(run()))
