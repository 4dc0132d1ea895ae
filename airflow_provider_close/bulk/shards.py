"""Which shard of the input a row belongs to: the scale-out pattern of bulk upserts.

``n`` mapped tasks (``.partial(...).expand(shard=[(0, n), ..., (n-1, n)])``) read the same
input; each handles only the rows whose match key hashes to its shard. The hash is a CRC-32
of the normalised key (emails lower-cased), stable across processes and Python versions
(unlike ``hash()``), so all rows of one key land in one task: duplicates are still caught,
and no two tasks create the same lead. Rows without a readable key go by their row index
(each is reported ``invalid`` by exactly one task).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from airflow_provider_close.lookups.leads import LeadMatchKey, normalise_key_value

__all__ = ["check_shard", "in_shard", "shard_of"]


def check_shard(shard: object) -> tuple[int, int]:
    """Return ``shard`` as ``(i, n)``, or raise ``ValueError`` naming the allowed values.

    :param shard: ``(i, n)`` with ``0 <= i < n`` (a list from XCom is accepted).
    """
    if not isinstance(shard, tuple | list) or len(shard) != 2:
        raise ValueError(f"shard must be a pair (i, n) with 0 <= i < n, got {shard!r}")
    index, count = shard
    if not isinstance(index, int) or not isinstance(count, int) or not 0 <= index < count:
        raise ValueError(f"shard must be a pair (i, n) with 0 <= i < n, got {shard!r}")
    return index, count


def shard_of(key: LeadMatchKey, value: object, count: int) -> int:
    """Return the shard (``0 .. count-1``) of a key value.

    :param key: the match key (emails compare case-insensitively).
    :param value: the key value of a row.
    :param count: the number of shards.
    """
    text = normalise_key_value(key, str(value).strip())
    return zlib.crc32(text.encode("utf-8")) % count


def in_shard(
    shard: tuple[int, int], key: LeadMatchKey, row: object, column: str, index: int
) -> bool:
    """Return whether a row belongs to ``shard``.

    :param shard: ``(i, n)``.
    :param key: the match key.
    :param row: the input row.
    :param column: the column holding the key.
    :param index: the row's position in the input.
    """
    wanted, count = shard
    value: Any = row.get(column) if isinstance(row, Mapping) else None
    if value is None or not str(value).strip():
        return index % count == wanted
    return shard_of(key, value, count) == wanted
