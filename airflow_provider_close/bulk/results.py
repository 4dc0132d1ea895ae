"""Per-row results: the JSONL result file, the XCom summary and the failure threshold.

Every input row gets exactly one :class:`RowResult` (row index, key, action, Close id,
error). The file goes to a local path or to anything with an ``open(mode)`` method
(``ObjectStoragePath``), appended batch by batch (:class:`ResultFile`); the summary is
tallied as it goes (:class:`ResultTally`), so no run holds all its results.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Protocol, TypedDict, get_args

__all__ = [
    "ROW_ACTIONS",
    "FailureThreshold",
    "Openable",
    "ResultFile",
    "ResultTally",
    "RowAction",
    "RowResult",
    "SyncSummary",
    "action_counts",
    "summarise",
    "write_results",
]

RowAction = Literal[
    "created",
    "updated",
    "unchanged",
    "skipped",
    "duplicate_key",
    "invalid",
    "failed",
    "would_create",
    "would_update",
    "not_attempted",
    "unknown",
]
ROW_ACTIONS: tuple[RowAction, ...] = get_args(RowAction)


class RowResult(TypedDict):
    """One line of the result file."""

    row: int
    key: str | None
    action: RowAction
    close_id: str | None
    error: str | None


class SyncSummary(TypedDict):
    """The small summary pushed to XCom."""

    total: int
    counts: dict[str, int]
    result_path: str | None
    duration_seconds: float
    dry_run: bool
    rate_limited: int
    sample: list[RowResult]


class Openable(Protocol):
    """Anything with ``open(mode)`` returning a text file (``Path``, ``ObjectStoragePath``)."""

    def open(self, mode: str) -> IO[Any]: ...


@dataclass(frozen=True)
class FailureThreshold:
    """When a finished run should fail the task.

    :param max_failed_rows: fail when more rows than this failed (``None``: no count limit).
    :param max_failed_ratio: fail when failed/total exceeds this (``None``: no ratio limit).

    ``invalid`` and ``duplicate_key`` rows count as failures too: they were not written.
    """

    max_failed_rows: int | None = 0
    max_failed_ratio: float | None = None

    def crossed_by(self, counts: Counter[str] | dict[str, int], total: int) -> str | None:
        """Return why the threshold is crossed, or ``None``.

        :param counts: action -> number of rows.
        :param total: number of input rows.
        """
        bad = sum(counts.get(a, 0) for a in ("failed", "invalid", "duplicate_key"))
        if self.max_failed_rows is not None and bad > self.max_failed_rows:
            return f"{bad} rows not written (failed/invalid/duplicate_key) > {self.max_failed_rows}"
        if self.max_failed_ratio is not None and total and bad / total > self.max_failed_ratio:
            return f"{bad}/{total} rows not written > ratio {self.max_failed_ratio}"
        return None


def action_counts(results: Iterable[RowResult]) -> dict[str, int]:
    """Return action -> number of rows (every known action present, zeros included).

    :param results: the row results.
    """
    counts = Counter(r["action"] for r in results)
    return {action: counts.get(action, 0) for action in ROW_ACTIONS}


class ResultTally:
    """Counts per action, the total and a small sample, fed batch by batch (never the rows).

    :param sample_size: rows per action kept in the sample (``unchanged`` rows are not).
    """

    def __init__(self, sample_size: int = 5) -> None:
        self.sample_size = sample_size
        self.total = 0
        self.counts: Counter[str] = Counter()
        self.sample: list[RowResult] = []

    def add(self, results: Iterable[RowResult]) -> None:
        """Count a batch of results.

        :param results: row results.
        """
        for result in results:
            action = result["action"]
            self.total += 1
            if action != "unchanged" and self.counts[action] < self.sample_size:
                self.sample.append(result)
            self.counts[action] += 1

    def summary(
        self, *, result_path: str | None, duration_seconds: float, dry_run: bool, rate_limited: int
    ) -> SyncSummary:
        """Return the XCom summary of everything added.

        :param result_path: where the result file was written.
        :param duration_seconds: wall time of the run.
        :param dry_run: whether nothing was written.
        :param rate_limited: how many 429 answers were seen.
        """
        return SyncSummary(
            total=self.total,
            counts={action: self.counts.get(action, 0) for action in ROW_ACTIONS},
            result_path=result_path,
            duration_seconds=round(duration_seconds, 3),
            dry_run=dry_run,
            rate_limited=rate_limited,
            sample=list(self.sample),
        )


def summarise(
    results: Sequence[RowResult],
    *,
    result_path: str | None,
    duration_seconds: float,
    dry_run: bool,
    rate_limited: int,
    sample_size: int = 5,
) -> SyncSummary:
    """Return the XCom summary: counts, path, duration, and a few non-trivial rows.

    :param results: all row results.
    :param result_path: where the result file was written.
    :param duration_seconds: wall time of the run.
    :param dry_run: whether nothing was written.
    :param rate_limited: how many 429 answers were seen.
    :param sample_size: rows per action kept in the sample.
    """
    tally = ResultTally(sample_size)
    tally.add(results)
    return tally.summary(
        result_path=result_path,
        duration_seconds=duration_seconds,
        dry_run=dry_run,
        rate_limited=rate_limited,
    )


def _destination(target: str | Openable) -> Openable:
    """Return ``target`` as something to open (a local path gets its folder created)."""
    if isinstance(target, str):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        return Path(target)
    return target


class ResultFile:
    """The JSONL result file, appended batch by batch, with a :class:`ResultTally` of it.

    Use as a context manager; :meth:`add` is the engine's result sink. Each batch is written
    sorted by row; batches arrive in input order, except rows resolved at the end of the run
    (lost creates, ``bulk/pending.py``), which come last.

    :param target: a local path or an object with ``open(mode)``.
    """

    def __init__(self, target: str | Openable) -> None:
        self.path = str(target)
        self.tally = ResultTally()
        self._target = target
        self._handle: IO[Any] | None = None

    def __enter__(self) -> ResultFile:
        self._handle = _destination(self._target).open("w")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def add(self, results: Sequence[RowResult]) -> None:
        """Append a batch of results (sorted by row), flush, and count them.

        :param results: row results.
        """
        if self._handle is None:
            raise RuntimeError("ResultFile.add outside its with block")
        ordered = sorted(results, key=lambda r: r["row"])
        self._handle.writelines(json.dumps(r, sort_keys=True) + "\n" for r in ordered)
        self._handle.flush()  # a killed task leaves the batches done so far on disk
        self.tally.add(ordered)

    def close_with(self, record: dict[str, Any]) -> None:
        """Append a closing line that is not a row (a stopped run's ``bulk.stop.stop_record``).

        :param record: the line's JSON object (not counted in the tally).
        """
        if self._handle is None:
            raise RuntimeError("ResultFile.close_with outside its with block")
        self._handle.write(json.dumps(record, sort_keys=True) + "\n")
        self._handle.flush()


def write_results(target: str | Openable, results: Iterable[RowResult]) -> str:
    """Write the results as JSONL, sorted by row; return the path written.

    :param target: a local path or an object with ``open(mode)``.
    """
    with ResultFile(target) as file:
        file.add(list(results))
    return file.path
