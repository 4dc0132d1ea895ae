"""The stop signal in the pool and the upsert engine (``bulk/stop.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.pool import run_pool
from airflow_provider_close.bulk.results import RowResult, action_counts
from airflow_provider_close.bulk.stop import StopSignal, stop_record
from airflow_provider_close.sandbox import CloseSandbox, Fault
from tests.bulk.test_engine_sandbox import _ext_counts, _rows, _run
from tests.bulk.test_pool import _Client


class StopAfter(StopSignal):
    """Requests a stop once ``rows`` rows were taken (as ``on_kill`` would mid-run)."""

    def __init__(self, rows: int) -> None:
        super().__init__()
        self.taken = 0
        self.rows = rows

    def result_for(
        self, row: int, key: str | None, close_id: str | None = None
    ) -> RowResult | None:
        if self.taken >= self.rows:
            self.request("test stop")
        self.taken += 1
        return super().result_for(row, key, close_id)


async def test_the_pool_starts_no_item_after_the_stop() -> None:
    stop = StopAfter(3)
    started: list[int] = []

    async def work(item: int) -> RowResult:
        started.append(item)
        await asyncio.sleep(0)
        return RowResult(row=item, key=None, action="created", close_id=None, error=None)

    results = await run_pool(
        _Client(),
        AdaptiveLimiter(1),
        list(range(10)),
        work,
        skip=lambda item: stop.result_for(item, None),
    )
    assert started == [0, 1, 2]
    assert [r["action"] for r in results] == ["created"] * 3 + ["not_attempted"] * 7
    assert stop_record(stop, action_counts(results)) == {
        "stopped": True,
        "reason": "test stop",
        "rows_done": 3,
        "rows_not_attempted": 7,
        "rows_unknown": 0,
        "first_not_attempted_row": 3,
        "rest_of_input_read": True,
    }


async def test_a_lost_create_is_left_unknown_when_the_run_stops(
    seeded_sandbox: CloseSandbox,
) -> None:
    seeded_sandbox.add_fault(Fault("drop_after", method="POST", path="/lead/", times=1))
    run = await _run(seeded_sandbox, _rows(6, prefix="HALT"), max_concurrency=1, stop=StopAfter(2))
    assert [r["action"] for r in run.results] == ["unknown", "created"] + ["not_attempted"] * 4
    assert "a re-run finds it by its key" in str(run.results[0]["error"])
    assert _ext_counts(seeded_sandbox)["HALT-0"] == 1  # applied, though its response was lost
    searches = [r for r in seeded_sandbox.requests if "/data/search" in r.path]
    assert len(searches) == 1  # the planning lookup only: no settle wait, no confirming search


async def test_no_batch_is_read_after_the_one_the_stop_found(seeded_sandbox: CloseSandbox) -> None:
    stop = StopAfter(3)
    read: list[int] = []

    def rows() -> Iterator[dict[str, Any]]:
        for i, row in enumerate(_rows(10, prefix="BATCHSTOP")):
            read.append(i)
            yield row

    run = await _run(seeded_sandbox, rows(), max_concurrency=1, batch_size=2, stop=stop)
    assert [r["action"] for r in run.results] == ["created"] * 3 + ["not_attempted"] * 3
    assert [r["row"] for r in run.results] == list(range(6))  # rows 6-9: never read
    assert read == list(range(6))
    assert stop_record(stop, action_counts(run.results)) == {
        "stopped": True,
        "reason": "test stop",
        "rows_done": 3,
        "rows_not_attempted": 3,
        "rows_unknown": 0,
        "first_not_attempted_row": 3,
        "rest_of_input_read": False,
    }
