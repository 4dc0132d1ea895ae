"""The next batch is read, looked up and planned while the current one is written."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import aclosing

import pytest

from airflow_provider_close.bulk.batches import read_ahead
from airflow_provider_close.bulk.results import RowResult
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.faults import Fault
from tests.bulk.test_engine_sandbox import _ext_counts, _keys, _rows, _run


def _batches(count: int, read: list[int]) -> Iterator[int]:
    for batch in range(count):
        read.append(batch)
        yield batch


async def test_the_next_batch_is_prepared_while_the_caller_handles_the_current() -> None:
    read: list[int] = []
    prepared: list[int] = []

    async def prepare(batch: int) -> int:
        prepared.append(batch)
        return batch * 10

    seen: list[tuple[int, list[int]]] = []
    async with aclosing(read_ahead(_batches(3, read), prepare)) as ready:
        async for value in ready:
            for _ in range(3):  # the caller's own awaits (its writes)
                await asyncio.sleep(0)
            seen.append((value, list(prepared)))
    # batch 1 was prepared while batch 0 was handled, batch 2 while batch 1 was
    assert seen == [(0, [0, 1]), (10, [0, 1, 2]), (20, [0, 1, 2])]
    assert read == [0, 1, 2]


async def test_a_caller_that_leaves_without_awaiting_reads_no_more() -> None:
    read: list[int] = []

    async def prepare(batch: int) -> int:
        return batch

    async with aclosing(read_ahead(_batches(5, read), prepare)) as ready:
        async for value in ready:
            if value == 1:
                break  # a stop found before awaiting: batch 1 is the last one read
            await asyncio.sleep(0)
            await asyncio.sleep(0)
    for _ in range(3):  # the batch read ahead was cancelled, not left to run later
        await asyncio.sleep(0)
    assert read == [0, 1]


async def test_a_failing_preparation_reaches_the_caller() -> None:
    async def prepare(batch: int) -> int:
        if batch == 1:
            raise ValueError("bad batch")
        return batch

    got: list[int] = []

    async def consume() -> None:
        async with aclosing(read_ahead(_batches(3, []), prepare)) as ready:
            async for value in ready:
                got.append(value)

    with pytest.raises(ValueError, match="bad batch"):
        await consume()
    assert got == [0]


async def test_the_next_batch_is_looked_up_before_the_current_ones_writes_end(
    seeded_sandbox: CloseSandbox,
) -> None:
    seeded_sandbox.set_latency(20)
    run = await _run(seeded_sandbox, _rows(6, prefix="AHEAD"), max_concurrency=1, batch_size=3)
    assert [r["action"] for r in run.results] == ["created"] * 6
    assert all(_ext_counts(seeded_sandbox)[f"AHEAD-{i}"] == 1 for i in range(6))
    order = [
        "search" if "/data/search" in r.path else "create"
        for r in seeded_sandbox.requests
        if r.method == "POST"
    ]
    # one row at a time: batch 2's lookup goes out while batch 1's rows are still being written
    assert order.index("search", 1) < 3
    assert order.count("create") == 6


async def test_the_next_batchs_writes_start_while_the_last_rows_of_this_one_are_in_flight(
    seeded_sandbox: CloseSandbox,
) -> None:
    # the first lead create to arrive (row 0 or 1) takes 400 ms; the other row is quick
    seeded_sandbox.add_fault(Fault("slow", method="POST", path="/lead/", delay_ms=400, times=1))
    sunk: list[list[int]] = []

    def sink(results: list[RowResult]) -> None:
        sunk.append(sorted(r["row"] for r in results))

    rows = _rows(6, prefix="OVER")
    run = await _run(seeded_sandbox, rows, max_concurrency=2, batch_size=2, sink=sink)
    key = _keys(seeded_sandbox)[1]["External ID"]
    with seeded_sandbox.state.lock:
        order = [str(lead.get(key)) for lead in seeded_sandbox.state.leads.values()]
    made = [ext for ext in order if ext.startswith("OVER-")]
    # batches 2 and 3 were written while batch 1's slow row was in flight: it was created
    # last (before, batch 2 waited for it: batch 1's rows were the first two created)
    assert {made[0], made[-1]} == {"OVER-0", "OVER-1"}
    assert sorted(made) == [f"OVER-{i}" for i in range(6)]
    assert sunk == [[0, 1], [2, 3], [4, 5]]  # results still reach the sink batch by batch
    assert run.peak_concurrency <= 2  # the two batches' pools together kept the bound


async def test_a_run_of_many_batches_cancelled_mid_way_leaves_no_task_behind(
    seeded_sandbox: CloseSandbox,
) -> None:
    seeded_sandbox.set_latency(20)
    run = asyncio.ensure_future(
        _run(seeded_sandbox, _rows(40, prefix="GONE"), max_concurrency=3, batch_size=4)
    )
    for _ in range(2000):  # bounded: 10 s
        if sum(1 for n in _ext_counts(seeded_sandbox) if n.startswith("GONE-")) >= 10:
            break
        await asyncio.sleep(0.005)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    for _ in range(3):
        await asyncio.sleep(0)
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
