"""What every bulk run shares: its outcome, writes on the worker pools, lookups in chunks.

The lead upsert (``bulk/engine.py``) and the activity creates (``bulk/activities_engine.py``)
both write on the pools of ``bulk/pool.py`` through :func:`run_writes` and report an
:class:`UpsertRun`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter
from airflow_provider_close.bulk.pool import Lane, run_pool, run_pools
from airflow_provider_close.bulk.progress import Progress
from airflow_provider_close.bulk.results import RowResult
from airflow_provider_close.lookups.leads import LeadMatchKey, afind_leads_by_key

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

T = TypeVar("T")
W = TypeVar("W")
R = TypeVar("R")

__all__ = ["UpsertRun", "finished_run", "limited", "lookup_in_chunks", "run_writes"]


@dataclass
class UpsertRun:
    """The outcome of a run.

    :param results: one result per input row, in input order (empty when the run was given a
        ``sink``: the results went there, batch by batch).
    :param rate_limited: 429 answers the client saw during the run.
    :param elapsed: seconds the run took.
    :param peak_concurrency: the most rows in flight at once.
    """

    results: list[RowResult]
    rate_limited: int
    elapsed: float
    peak_concurrency: int


async def limited(
    limiter: AdaptiveLimiter, client: AsyncCloseClient, work: Callable[[], Awaitable[T]]
) -> T:
    """Run ``work()`` in a limiter slot, then feed the client's rate readings back.

    The coroutine is only created once a slot is held, so a cancelled run leaves none behind.

    :param limiter: the run's limiter.
    :param client: the client whose ``stats`` and ``rate_limit_for`` (lead writes) steer
        the limiter.
    :param work: makes the coroutine to run.
    """
    async with limiter.slot():
        result = await work()
    await limiter.feedback(client.stats.rate_limited, client.rate_limit_for("POST", "lead/"))
    return result


async def run_writes(
    lanes: Sequence[Lane[W, R]],
    progress: Progress,
    items: Sequence[W],
    *,
    rate_limited: Callable[[], int],
    group: tuple[str, str] = ("POST", "lead/"),
    skip: Callable[[W], R | None] | None = None,
    on_drained: Callable[[], None] | None = None,
) -> list[R]:
    """Write every item on the run's worker pools (``bulk/pool.py``, one per key); in order.

    Progress advances per item and carries the 429s seen so far.

    :param lanes: ``(client, limiter, work)`` per API key.
    :param progress: the run's progress log.
    :param items: what to write.
    :param rate_limited: returns the run's 429 count so far.
    :param group: the ``(method, path)`` of the writes, whose budget sizes the pools.
    :param skip: the stop check, asked as each item is taken (``bulk/pool.py``).
    :param on_drained: called once every item has been taken (the last may still be in
        flight): the caller may start the next batch's writes on the same limiters.
    """

    def done(_: R) -> None:
        progress.rate_limited = rate_limited()
        progress.advance()

    results = await run_pools(
        lanes, items, on_done=done, group=group, skip=skip, on_drained=on_drained
    )
    progress.rate_limited = rate_limited()
    progress.log()
    return results


def finished_run(
    results: list[RowResult], progress: Progress, limiter: AdaptiveLimiter
) -> UpsertRun:
    """Return the run's outcome: results in input-row order, 429s, time, peak concurrency.

    :param results: one result per input row, in any order.
    :param progress: the run's progress log.
    :param limiter: the run's limiter.
    """
    return UpsertRun(
        results=sorted(results, key=lambda r: r["row"]),
        rate_limited=progress.rate_limited,
        elapsed=progress.elapsed,
        peak_concurrency=limiter.peak,
    )


async def lookup_in_chunks(
    client: AsyncCloseClient,
    key: LeadMatchKey,
    values: Sequence[str],
    fields: Sequence[str],
    *,
    chunk_size: int,
    limiter: AdaptiveLimiter,
) -> dict[str, list[dict[str, Any]]]:
    """Return value -> matching leads, looking chunks up on a worker pool bounded by ``limiter``.

    :param client: an ``AsyncCloseClient``.
    :param key: the match key.
    :param values: the distinct key values.
    :param fields: lead fields to fetch for diffing.
    :param chunk_size: values per search.
    :param limiter: bounds concurrent searches.
    """
    chunks = [values[i : i + chunk_size] for i in range(0, len(values), chunk_size)]
    found: dict[str, list[dict[str, Any]]] = {}
    lookup = partial(afind_leads_by_key, client, key, fields=fields)
    for part in await run_pool(client, limiter, chunks, lookup, group=("POST", "data/search/")):
        found.update(part)
    return found
