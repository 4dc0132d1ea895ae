"""A bounded worker pool fed from a queue: per-item cost independent of the number of items.

:func:`run_pool` starts at most ``limiter.limit`` workers; each takes the next item from one
shared iterator (the queue), runs it, times it (the limiter's round trip), feeds the client's
rate readings back, and then either takes the next item, exits (the bound fell below the
running workers) or starts another worker (the bound rose). No coroutine waits per item and
nothing wakes every waiter: the coroutines alive are the workers, never more than the cap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

__all__ = ["Lane", "run_pool", "run_pools"]

W = TypeVar("W")
R = TypeVar("R")

#: One key's pool: its client, its limiter, and the item work on that client.
Lane = tuple["AsyncCloseClient", AdaptiveLimiter, Callable[[W], Awaitable[R]]]


async def run_pool(
    client: AsyncCloseClient,
    limiter: AdaptiveLimiter,
    items: Sequence[W],
    work: Callable[[W], Awaitable[R]],
    *,
    on_done: Callable[[R], None] | None = None,
    group: tuple[str, str] = ("POST", "lead/"),
    queue: Iterator[int] | None = None,
    skip: Callable[[W], R | None] | None = None,
) -> list[R]:
    """Run ``work(item)`` for every item on a pool bounded by ``limiter``; results in order.

    :param client: the client whose ``stats`` and ``rate_limit_for`` steer the limiter.
    :param limiter: the run's bound (read after every item).
    :param items: what to run.
    :param work: makes one item's coroutine (created only when a worker takes the item).
    :param on_done: called with each result as it arrives.
    :param group: a ``(method, path)`` of the items' requests: the pool is sized from that
        endpoint group's budget (``client.rate_limit_for``), not from whichever group answered
        last.
    :param queue: the item indexes to take, shared with other pools (:func:`run_pools`);
        default: every item. Items another pool took stay ``None`` in the result.
    :param skip: asked as a worker takes each item; a result returned (a stop was requested,
        ``bulk/stop.py``) is recorded instead of running the item.
    """
    results: list[R | None] = [None] * len(items)
    queue = iter(range(len(items))) if queue is None else queue
    loop = asyncio.get_running_loop()
    workers: set[asyncio.Task[None]] = set()
    failures: list[BaseException] = []
    running = [0]  # workers that have not decided to exit (the done callbacks come later)

    async def worker() -> None:
        for index in queue:
            if skip is not None and (skipped := skip(items[index])) is not None:
                results[index] = skipped
                continue
            started = loop.time()
            limiter.in_flight += 1
            limiter.peak = max(limiter.peak, limiter.in_flight)
            try:
                results[index] = result = await work(items[index])
            finally:
                limiter.in_flight -= 1
            limiter.record(loop.time() - started)
            await limiter.feedback(client.stats.rate_limited, client.rate_limit_for(*group))
            if on_done is not None:
                on_done(result)
            while running[0] < limiter.limit:
                spawn()
            if running[0] > limiter.limit:
                break
        running[0] -= 1

    def spawn() -> None:
        running[0] += 1
        task = loop.create_task(worker())
        workers.add(task)
        task.add_done_callback(finished)

    def finished(task: asyncio.Task[None]) -> None:
        workers.discard(task)
        if not task.cancelled() and task.exception() is not None:
            failures.append(task.exception())  # type: ignore[arg-type]

    for _ in range(min(limiter.limit, len(items))):
        spawn()
    try:
        while workers and not failures:
            await asyncio.wait(set(workers), return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in list(workers):
            task.cancel()
        if workers:
            await asyncio.gather(*workers, return_exceptions=True)
    if failures:
        raise failures[0]
    return results  # type: ignore[return-value]


async def run_pools(
    lanes: Sequence[Lane[W, R]],
    items: Sequence[W],
    *,
    on_done: Callable[[R], None] | None = None,
    group: tuple[str, str] = ("POST", "lead/"),
    skip: Callable[[W], R | None] | None = None,
) -> list[R]:
    """Run every item on one of several pools (one per API key) fed from one queue.

    Each pool sizes itself from its own key's budget, so together they use the keys' combined
    budget (an organisation allows 3x one key's: close-api.md §4). Results in item order.

    :param lanes: ``(client, limiter, work)`` per key.
    :param items: what to run.
    :param on_done: called with each result as it arrives.
    :param group: the ``(method, path)`` the pools are sized from.
    :param skip: the stop check every pool asks as it takes an item (:func:`run_pool`).
    """
    if len(lanes) == 1:
        client, limiter, work = lanes[0]
        return await run_pool(client, limiter, items, work, on_done=on_done, group=group, skip=skip)
    queue = iter(range(len(items)))
    async with asyncio.TaskGroup() as tasks:  # one pool failing cancels the others
        parts = [
            tasks.create_task(
                run_pool(c, lim, items, w, on_done=on_done, group=group, queue=queue, skip=skip)
            )
            for c, lim, w in lanes
        ]
    results = [part.result() for part in parts]
    return [next(r[i] for r in results if r[i] is not None) for i in range(len(items))]
