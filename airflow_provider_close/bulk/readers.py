"""Input readers that need no Airflow: in-memory rows, JSONL and CSV files (streamed).

A file is a local path or anything with ``open(mode)`` (``pathlib.Path``, Airflow's
``ObjectStoragePath``). The format comes from the suffix (``.jsonl``/``.ndjson``, ``.csv``)
unless given. CSV cells are strings; blank cells count as empty.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from airflow_provider_close.bulk.results import Openable

__all__ = ["FileFormat", "file_format", "iter_file_rows", "read_file_rows", "rows_from_iterable"]

FileFormat = Literal["jsonl", "csv"]
_SUFFIXES: Mapping[str, FileFormat] = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def file_format(name: str, given: FileFormat | None = None) -> FileFormat:
    """Return the file format: ``given``, else guessed from the name's suffix.

    :param name: the file name or URL.
    :param given: an explicit format, which wins.
    """
    if given is not None:
        return given
    for suffix, fmt in _SUFFIXES.items():
        if name.lower().endswith(suffix):
            return fmt
    raise ValueError(f"cannot tell the format of {name!r}; use a .jsonl or .csv suffix or pass it")


def rows_from_iterable(rows: Iterable[Any]) -> list[dict[str, Any]]:
    """Return in-memory rows as a list of dicts (non-dicts kept, to be reported invalid).

    :param rows: the rows (e.g. from XCom).
    """
    if isinstance(rows, str | bytes | Mapping):
        raise TypeError("rows must be a list of dicts, not a single value")
    return [dict(row) if isinstance(row, Mapping) else row for row in rows]


def _jsonl_rows(lines: Iterable[str]) -> Iterator[Any]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as error:
            yield f"line {number} is not JSON: {error.msg}"


def iter_file_rows(source: str | Openable, fmt: FileFormat | None = None) -> Iterator[Any]:
    """Yield the rows of a JSONL or CSV file, in order, one line at a time (bounded memory).

    A JSONL line that is not JSON becomes a string row (reported ``invalid``), never dropped.
    The format is checked at the call, before anything is read; the file is opened at the
    first row and closed when the iterator is exhausted or closed.

    :param source: a local path or an object with ``open(mode)``.
    :param fmt: ``jsonl`` or ``csv``; guessed from the name when omitted.
    """
    opened: Openable = Path(source) if isinstance(source, str) else source
    return _file_rows(opened, file_format(str(source), fmt))


def _file_rows(opened: Openable, chosen: FileFormat) -> Iterator[Any]:
    with opened.open("r") as handle:
        if chosen == "csv":
            yield from (dict(row) for row in csv.DictReader(handle))
        else:
            yield from _jsonl_rows(handle)


def read_file_rows(source: str | Openable, fmt: FileFormat | None = None) -> list[Any]:
    """Return the rows of a JSONL or CSV file, in order (all of them: see :func:`iter_file_rows`).

    :param source: a local path or an object with ``open(mode)``.
    :param fmt: ``jsonl`` or ``csv``; guessed from the name when omitted.
    """
    return list(iter_file_rows(source, fmt))
