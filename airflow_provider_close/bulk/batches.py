"""The input of a bulk run, a batch at a time: batches, shards, and keys of earlier batches.

The engines (``bulk/engine.py``, ``bulk/child_engine.py``) read rows lazily through
:func:`batched_rows`, so a run holds one batch, never the input. Rows sharing a key within a
batch are caught by the planner (``plan.duplicated_keys``: none of them is written); a key
already held by a row of an earlier batch (whose row was written) makes the later row
``duplicate_key`` (:func:`keys_of_earlier_batches`, :func:`unless_earlier`, the keys on disk
in ``bulk/seen_keys.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from airflow_provider_close.bulk.plan import Normalise, PreparedRow, RowPlan, _normaliser
from airflow_provider_close.bulk.seen_keys import SeenKeys
from airflow_provider_close.bulk.shards import in_shard
from airflow_provider_close.lookups.leads import LeadMatchKey

__all__ = ["batched_rows", "keys_of_earlier_batches", "unless_earlier"]


def batched_rows(
    rows: Iterable[Any],
    *,
    size: int,
    shard: tuple[int, int] | None = None,
    key: LeadMatchKey | None = None,
    column: str = "",
) -> Iterator[tuple[list[int], list[Any]]]:
    """Yield (row indexes, rows) of ``shard``, ``size`` rows at a time, reading ``rows`` lazily.

    :param rows: the input rows.
    :param size: rows per batch.
    :param shard: ``(i, n)``: only the rows of shard ``i`` (``bulk/shards.py``), else all.
    :param key: the match key (rows are sharded by it; required with ``shard``).
    :param column: the column holding the key.
    """
    if shard is not None and key is None:
        raise ValueError("sharding needs the match key")
    indexes: list[int] = []
    batch: list[Any] = []
    for index, row in enumerate(rows):
        if shard is not None and key is not None and not in_shard(shard, key, row, column, index):
            continue
        indexes.append(index)
        batch.append(row)
        if len(batch) >= size:
            yield indexes, batch
            indexes, batch = [], []
    if batch:
        yield indexes, batch


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
