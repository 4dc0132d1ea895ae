"""Per-row results: the JSONL result file, the XCom summary and the failure threshold.

Every input row gets exactly one :class:`RowResult` (row index, key, action, Close id,
error). The file is written once, sorted by row index, to a local path or to anything with
an ``open(mode)`` method (``ObjectStoragePath``).
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
    sample: list[RowResult] = []
    per_action: Counter[str] = Counter()
    for result in results:
        if result["action"] != "unchanged" and per_action[result["action"]] < sample_size:
            per_action[result["action"]] += 1
            sample.append(result)
    return SyncSummary(
        total=len(results),
        counts=action_counts(results),
        result_path=result_path,
        duration_seconds=round(duration_seconds, 3),
        dry_run=dry_run,
        rate_limited=rate_limited,
        sample=sample,
    )


def write_results(
    target: str | Openable, results: Iterable[RowResult], trailer: dict[str, Any] | None = None
) -> str:
    """Write the results as JSONL, sorted by row; return the path written.

    :param target: a local path or an object with ``open(mode)``.
    :param trailer: a last line (a stopped run's ``bulk.stop.stop_record``).
    """
    destination: Openable
    if isinstance(target, str):
        destination = Path(target)
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    else:
        destination = target
    with destination.open("w") as handle:
        for result in sorted(results, key=lambda r: r["row"]):
            handle.write(json.dumps(result, sort_keys=True) + "\n")
        if trailer is not None:
            handle.write(json.dumps(trailer, sort_keys=True) + "\n")
    return str(target)
