"""Keyset walks: every row of a date-ordered query once, exact while the data changes.

Offset paging skips rows when rows before the offset disappear mid-walk (close-api.md §9b).
A keyset walk never skips: each page is a fresh query "key ≥ the last key read", so rows
that vanish behind the walk cannot shift it. Rows at exactly the last key are read again
and dropped by id (the ids at the current key are all the walk remembers, so memory stays
flat). When a page brings nothing new (more rows share one key than a page holds) the walk
continues that query instead (``_skip`` or the search cursor), then resumes keyset paging.

I/O goes through a :data:`KeysetFetch`, so the walk is tested without a network.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow_provider_close.client.timestamps import parse_moment
from airflow_provider_close.extraction.errors import CloseExtractionError

__all__ = ["KeysetFetch", "KeysetPage", "KeysetStats", "iter_keyset"]

JSONObject = dict[str, Any]


@dataclass(frozen=True)
class KeysetPage:
    """One page of a keyset query.

    :param items: rows in ascending key order.
    :param has_more: whether more rows follow.
    :param continuation: how to ask for the page after this one of the *same* query
        (an offset or a search cursor), or None when there is none.
    """

    items: Sequence[JSONObject]
    has_more: bool
    continuation: object = None


#: Fetches one page: ``(lower, continuation)`` -> the page of rows with key ≥ ``lower``
#: (no lower bound when None), continuing a previous query when ``continuation`` is given.
KeysetFetch = Callable[[datetime | None, object], KeysetPage]


@dataclass
class KeysetStats:
    """Counters of keyset walks.

    :param requests: pages fetched.
    :param rows: rows yielded.
    :param reread: rows read again at a page boundary (same key) and dropped.
    """

    requests: int = 0
    rows: int = 0
    reread: int = 0


def iter_keyset(
    fetch: KeysetFetch,
    key_field: str,
    lower: datetime | None,
    stats: KeysetStats,
    *,
    name: str,
) -> Iterator[JSONObject]:
    """Yield every row of the query once, ascending by ``key_field``.

    :param fetch: fetches pages (see :data:`KeysetFetch`).
    :param key_field: the date field the query sorts on and is bounded by.
    :param lower: the first page's lower bound (inclusive), or None.
    :param stats: counters to update.
    :param name: the resource, for errors.
    :raises CloseExtractionError: Close sent rows out of key order.
    """
    seen_at_key: set[str] = set()
    key = lower
    continuation: object = None
    while True:
        page = fetch(key, continuation)
        stats.requests += 1
        fresh = 0
        for row in page.items:
            moment = parse_moment(row[key_field])
            if key is not None and moment < key:
                raise CloseExtractionError(name, f"rows out of {key_field} order at {moment}")
            if moment == key and row["id"] in seen_at_key:
                stats.reread += 1
                continue
            if moment != key:
                key, seen_at_key = moment, set()
            seen_at_key.add(str(row["id"]))
            fresh += 1
            stats.rows += 1
            yield row
        if not page.has_more:
            return
        # Nothing new: one key fills the page, so continue this query past it.
        continuation = page.continuation if fresh == 0 else None
        if fresh == 0 and continuation is None:
            raise CloseExtractionError(name, f"more rows share {key_field}={key} than a page")
