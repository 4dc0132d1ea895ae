"""Keys seen in earlier batches of a run, on disk: exact, with memory bounded by SQLite's cache.

A run reads its input in batches (``bulk/engine.py``); rows sharing a key within one batch are
caught by ``plan.duplicated_keys``, rows sharing a key across batches by :class:`SeenKeys`.
The keys live in a private temporary SQLite database (``sqlite3.connect("")``: on disk,
deleted when closed), so a million keys cost the page cache (about 2 MB), not a million
Python strings.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["SeenKeys", "rows_by_key"]

#: Values per ``IN (...)`` query: under SQLite's oldest variable limit (999).
_CHUNK = 500


def rows_by_key(db: sqlite3.Connection, select: str, keys: Iterable[str]) -> list[tuple[Any, ...]]:
    """Return the rows of ``select`` (``... WHERE key IN ({marks})``) for ``keys``, in chunks.

    :param db: the database.
    :param select: the query, with ``{marks}`` where the placeholders go.
    :param keys: the keys wanted (repeats are asked once).
    """
    wanted = list(dict.fromkeys(keys))
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        found += db.execute(select.format(marks=",".join("?" * len(part))), part).fetchall()
    return found


class SeenKeys:
    """Normalised key -> the first input row that held it, for one run."""

    def __init__(self) -> None:
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID")

    def earlier(self, keys: Iterable[str]) -> dict[str, int]:
        """Return the keys already added, each with its first row.

        :param keys: normalised keys.
        """
        query = "SELECT key, row FROM seen WHERE key IN ({marks})"
        return {key: row for key, row in rows_by_key(self._db, query, keys)}

    def add(self, first_rows: Mapping[str, int]) -> None:
        """Record keys with their first row (a key already present keeps its row).

        :param first_rows: normalised key -> row index.
        """
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?, ?)", first_rows.items())

    def close(self) -> None:
        """Drop the database (its file goes with it)."""
        self._db.close()
