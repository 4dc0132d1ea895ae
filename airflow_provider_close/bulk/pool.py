"""A bounded worker pool fed from a queue: per-item cost independent of the number of items.

:func:`run_pool` starts at most ``limiter.limit`` workers; each takes the next item from one
shared iterator (the queue), runs it, times it (the limiter's round trip), feeds the client's
rate readings back, and then either takes the next item, exits (the bound fell below the
running workers) or starts another worker (the bound rose). No coroutine waits per item and
nothing wakes every waiter: the coroutines alive are the workers, never more than the cap.

Workers are counted on the limiter (:attr:`~.concurrency.AdaptiveLimiter.workers`), not per
pool, so pools that share a limiter together stay within its bound: a bulk run starts the
next batch's pool while the last rows of the current one are still in flight
(``on_drained``), and each worker of the old pool that leaves hands its place to the new one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

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
    on_drained: Callable[[], None] | None = None,
) -> list[R]:
    """Run ``work(item)`` for every item on a pool bounded by ``limiter``; results in order.

    :param client: the client whose ``stats`` and ``rate_limit_for`` steer the limiter.
    :param limiter: the run's bound (read after every item), shared with any other pool on it.
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
    :param on_drained: called once, when every item has been taken (some may still run).
    """
    pool = _Pool(
        client,
        limiter,
        items,
        work,
        queue=iter(range(len(items))) if queue is None else queue,
        on_done=on_done,
        group=group,
        skip=skip,
        on_drained=on_drained,
    )
    return await pool.run()


class _Pool(Generic[W, R]):
    """One pool's workers, results and end; see :func:`run_pool` for the parameters."""

    def __init__(
        self,
        client: AsyncCloseClient,
        limiter: AdaptiveLimiter,
        items: Sequence[W],
        work: Callable[[W], Awaitable[R]],
        *,
        queue: Iterator[int],
        on_done: Callable[[R], None] | None,
        group: tuple[str, str],
        skip: Callable[[W], R | None] | None,
        on_drained: Callable[[], None] | None,
    ) -> None:
        self.client, self.limiter, self.items, self.work = client, limiter, items, work
        self.on_done, self.group, self.skip, self.on_drained = on_done, group, skip, on_drained
        self.results: list[R | None] = [None] * len(items)
        self.loop = asyncio.get_running_loop()
        self.workers: set[asyncio.Task[None]] = set()
        self.started: set[asyncio.Task[None]] = set()  # their place is given back as they end
        self.finished: asyncio.Future[None] = self.loop.create_future()
        self.drained = False
        self.queue = queue

    async def run(self) -> list[R]:
        """Run every item of the queue; return the results in item order."""
        if not self.items:
            self.drain()
            self.finished.set_result(None)
        self.limiter.growers.append(self.grow)
        try:
            self.grow()  # with every place taken by another pool, their leaving grows this one
            await self.finished
        finally:
            self.limiter.growers.remove(self.grow)
            for task in list(self.workers):
                task.cancel()
            if self.workers:
                await asyncio.gather(*self.workers, return_exceptions=True)
        return self.results  # type: ignore[return-value]

    def drain(self) -> None:
        """Note that every item was taken (once)."""
        if not self.drained:
            self.drained = True
            if self.on_drained is not None:
                self.on_drained()

    def grow(self) -> None:
        """Start workers while items are left and the limiter has places."""
        limiter = self.limiter
        while not self.drained and limiter.workers < limiter.limit:
            limiter.workers += 1
            task = self.loop.create_task(self.worker())
            self.workers.add(task)
            task.add_done_callback(self.left)

    def left(self, task: asyncio.Task[None]) -> None:
        """A worker ended: fail the pool with its error, or free its place."""
        self.workers.discard(task)
        if task in self.started:
            self.started.discard(task)
        else:  # cancelled before it ran: its place was never given back
            self.limiter.workers -= 1
        if not task.cancelled() and (error := task.exception()) is not None:
            if not self.finished.done():
                self.finished.set_exception(error)
            return
        self.limiter.vacated()  # this pool's place, or another pool's, may be taken again
        if self.drained and not self.workers and not self.finished.done():
            self.finished.set_result(None)

    async def worker(self) -> None:
        """Take items until none is left or the bound fell below the workers."""
        limiter = self.limiter
        if (me := asyncio.current_task()) is not None:
            self.started.add(me)
        try:
            for index in self.queue:
                if self.skip is not None and (skipped := self.skip(self.items[index])) is not None:
                    self.results[index] = skipped
                    continue
                started = self.loop.time()
                limiter.in_flight += 1
                limiter.peak = max(limiter.peak, limiter.in_flight)
                try:
                    self.results[index] = result = await self.work(self.items[index])
                finally:
                    limiter.in_flight -= 1
                limiter.record(self.loop.time() - started)
                reading = self.client.rate_limit_for(*self.group)
                await limiter.feedback(self.client.stats.rate_limited, reading)
                if self.on_done is not None:
                    self.on_done(result)
                self.grow()
                if limiter.workers > limiter.limit:
                    break
            else:
                self.drain()
        finally:
            limiter.workers -= 1


async def run_pools(
    lanes: Sequence[Lane[W, R]],
    items: Sequence[W],
    *,
    on_done: Callable[[R], None] | None = None,
    group: tuple[str, str] = ("POST", "lead/"),
    skip: Callable[[W], R | None] | None = None,
    on_drained: Callable[[], None] | None = None,
) -> list[R]:
    """Run every item on one of several pools (one per API key) fed from one queue.

    Each pool sizes itself from its own key's budget, so together they use the keys' combined
    budget (an organisation allows 3x one key's: close-api.md §4). Results in item order.

    :param lanes: ``(client, limiter, work)`` per key.
    :param items: what to run.
    :param on_done: called with each result as it arrives.
    :param group: the ``(method, path)`` the pools are sized from.
    :param skip: the stop check every pool asks as it takes an item (:func:`run_pool`).
    :param on_drained: called once every item has been taken (:func:`run_pool`).
    """
    if len(lanes) == 1:
        client, limiter, work = lanes[0]
        return await run_pool(
            client,
            limiter,
            items,
            work,
            on_done=on_done,
            group=group,
            skip=skip,
            on_drained=on_drained,
        )
    queue = iter(range(len(items)))
    taken = [0]

    def one_drained() -> None:  # the queue is shared: the first pool to find it empty says so
        taken[0] += 1
        if taken[0] == 1 and on_drained is not None:
            on_drained()

    async with asyncio.TaskGroup() as tasks:  # one pool failing cancels the others
        parts = [
            tasks.create_task(
                run_pool(
                    c,
                    lim,
                    items,
                    w,
                    on_done=on_done,
                    group=group,
                    queue=queue,
                    skip=skip,
                    on_drained=one_drained,
                )
            )
            for c, lim, w in lanes
        ]
    results = [part.result() for part in parts]
    return [next(r[i] for r in results if r[i] is not None) for i in range(len(items))]
