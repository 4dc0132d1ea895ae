"""The input of a bulk run, a batch at a time: batches, shards, and keys of earlier batches.

The engines (``bulk/engine.py``, ``bulk/child_engine.py``) read rows lazily through
:func:`batched_rows`, so a run holds one batch, never the input. Rows sharing a key within a
batch are caught by the planner (``plan.duplicated_keys``: none of them is written); a key
already held by a row of an earlier batch (whose row was written) makes the later row
``duplicate_key`` (:func:`keys_of_earlier_batches`, :func:`unless_earlier`, the keys on disk
in ``bulk/seen_keys.py``).

:func:`read_ahead` prepares (reads, looks up, plans) the next batch while the caller writes
the current one, so the writes do not stop at each batch boundary for the next lookups; two
batches are held at most.
"""

from __future__ import annotations

import asyncio
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from typing import Any, TypeVar

from airflow_provider_close.bulk.plan import Normalise, PreparedRow, RowPlan, _normaliser
from airflow_provider_close.bulk.seen_keys import SeenKeys
from airflow_provider_close.bulk.shards import in_shard
from airflow_provider_close.lookups.leads import LeadMatchKey

__all__ = ["batched_rows", "keys_of_earlier_batches", "read_ahead", "unless_earlier"]

B = TypeVar("B")
P = TypeVar("P")


def batched_rows(
    rows: Iterable[Any],
    *,
    size: int,
    shard: tuple[int, int] | None = None,
    key: LeadMatchKey | None = None,
    column: str = "",
    first: int | None = None,
) -> Iterator[tuple[list[int], list[Any]]]:
    """Yield (row indexes, rows) of ``shard``, ``size`` rows at a time, reading ``rows`` lazily.

    :param rows: the input rows.
    :param size: rows per batch.
    :param first: rows of the first batch, if fewer (writes can start after fewer lookups).
    :param shard: ``(i, n)``: only the rows of shard ``i`` (``bulk/shards.py``), else all.
    :param key: the match key (rows are sharded by it; required with ``shard``).
    :param column: the column holding the key.
    """
    if shard is not None and key is None:
        raise ValueError("sharding needs the match key")
    indexes: list[int] = []
    batch: list[Any] = []
    limit = size if first is None else max(1, min(first, size))
    for index, row in enumerate(rows):
        if shard is not None and key is not None and not in_shard(shard, key, row, column, index):
            continue
        indexes.append(index)
        batch.append(row)
        if len(batch) >= limit:
            yield indexes, batch
            indexes, batch, limit = [], [], size
    if batch:
        yield indexes, batch


async def read_ahead(
    batches: Iterator[B], prepare: Callable[[B], Awaitable[P]]
) -> AsyncGenerator[P, None]:
    """Yield ``prepare(batch)`` per batch, in order; the next is prepared while the caller works.

    The next batch is read (``next(batches)``) and prepared in a task started as the current
    one is handed over; it runs only once the caller awaits, so a caller that stops without
    awaiting (a stop request) reads nothing more. Use it under ``contextlib.aclosing``: the
    task of a batch not handed over is cancelled when the caller leaves.

    :param batches: the batches, read lazily.
    :param prepare: reads nothing itself; makes a batch ready to write (lookups, plans).
    """

    async def ahead() -> tuple[P] | None:
        await asyncio.sleep(0)  # the caller's first sends of the current batch go out first
        batch = next(batches, None)
        return None if batch is None else (await prepare(batch),)

    task = asyncio.ensure_future(ahead())
    try:
        while (ready := await task) is not None:
            task = asyncio.ensure_future(ahead())
            yield ready[0]
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


def keys_of_earlier_batches(
    seen: SeenKeys, key: LeadMatchKey | Normalise, prepared: Sequence[PreparedRow]
) -> dict[str, int]:
    """Return the batch's keys that rows of earlier batches held (key -> first row).

    The batch's other keys are recorded for the batches after it.

    :param seen: the run's keys so far.
    :param key: the match key, or the kind's key normaliser (contacts, opportunities).
    :param prepared: the batch's prepared rows (indexes in the whole input).
    """
    normalise = _normaliser(key)
    firsts: dict[str, int] = {}
    for row in prepared:
        if row.desired and row.key:
            firsts.setdefault(normalise(row.key), row.index)
    earlier = seen.earlier(firsts)
    seen.add({k: i for k, i in firsts.items() if k not in earlier})
    return earlier


def unless_earlier(
    plan: RowPlan, key: LeadMatchKey | Normalise, earlier: Mapping[str, int]
) -> RowPlan:
    """Return ``plan``, or ``duplicate_key`` when an earlier batch's row held its key.

    :param plan: a row's plan.
    :param key: the match key, or the kind's key normaliser.
    :param earlier: from :func:`keys_of_earlier_batches`.
    """
    if plan.key is None or plan.action not in ("create", "update", "unchanged", "duplicate_key"):
        return plan
    first = earlier.get(_normaliser(key)(plan.key))
    if first is None:
        return plan
    reason = f"key repeated in the input (first at row {first}, written in an earlier batch)"
    return RowPlan(plan.index, plan.key, "duplicate_key", reason=reason)
