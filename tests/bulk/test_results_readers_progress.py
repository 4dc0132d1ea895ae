"""Pure tests of the result file, summary, threshold, input readers, progress and limiter."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.bulk.concurrency import AdaptiveLimiter, next_concurrency
from airflow_provider_close.bulk.progress import Progress, progress_line
from airflow_provider_close.bulk.readers import file_format, read_file_rows, rows_from_iterable
from airflow_provider_close.bulk.results import (
    FailureThreshold,
    RowResult,
    action_counts,
    summarise,
    write_results,
)


def _result(row: int, action: Any, error: str | None = None) -> RowResult:
    return RowResult(row=row, key=f"k{row}", action=action, close_id=None, error=error)


RESULTS = [_result(2, "failed", "boom"), _result(0, "created"), _result(1, "unchanged")]


def test_write_results_sorts_by_row(tmp_path: Path) -> None:
    target = tmp_path / "out" / "results.jsonl"
    assert write_results(str(target), RESULTS) == str(target)
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["row"] for line in lines] == [0, 1, 2]
    assert lines[2] == {
        "row": 2,
        "key": "k2",
        "action": "failed",
        "close_id": None,
        "error": "boom",
    }


def test_write_results_accepts_an_openable(tmp_path: Path) -> None:
    write_results(tmp_path / "r.jsonl", RESULTS)  # type: ignore[arg-type]
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 3


def test_summary_counts_every_action_and_samples_the_interesting_rows() -> None:
    summary = summarise(
        RESULTS, result_path="x", duration_seconds=1.23456, dry_run=False, rate_limited=3
    )
    assert summary["counts"]["created"] == 1
    assert summary["counts"]["would_create"] == 0
    assert summary["total"] == 3
    assert summary["duration_seconds"] == 1.235
    assert [r["row"] for r in summary["sample"]] == [2, 0]
    assert action_counts([]) == dict.fromkeys(summary["counts"], 0)


@pytest.mark.parametrize(
    ("threshold", "counts", "crossed"),
    [
        (FailureThreshold(), {"created": 10}, False),
        (FailureThreshold(), {"invalid": 1}, True),
        (FailureThreshold(max_failed_rows=2), {"failed": 1, "duplicate_key": 1}, False),
        (FailureThreshold(max_failed_rows=2), {"failed": 3}, True),
        (FailureThreshold(None, 0.1), {"failed": 1, "created": 9}, False),
        (FailureThreshold(None, 0.1), {"failed": 2, "created": 8}, True),
        (FailureThreshold(None, None), {"failed": 10}, False),
    ],
)
def test_failure_threshold(
    threshold: FailureThreshold, counts: dict[str, int], crossed: bool
) -> None:
    assert (threshold.crossed_by(counts, sum(counts.values())) is not None) is crossed


@pytest.mark.parametrize(
    ("name", "given", "fmt"),
    [("a.csv", None, "csv"), ("s3://b/a.JSONL", None, "jsonl"), ("a.ndjson", None, "jsonl"),
     ("a.txt", "csv", "csv")],
)  # fmt: skip
def test_file_format(name: str, given: Any, fmt: str) -> None:
    assert file_format(name, given) == fmt


def test_file_format_unknown() -> None:
    with pytest.raises(ValueError, match="cannot tell the format"):
        file_format("rows.parquet")


def test_read_csv_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("ext,company\nA,Acme\nB,\n")
    assert read_file_rows(str(tmp_path / "r.csv")) == [
        {"ext": "A", "company": "Acme"},
        {"ext": "B", "company": ""},
    ]
    (tmp_path / "r.jsonl").write_text('{"ext": "A"}\n\n{oops\n{"ext": 2}\n')
    rows = read_file_rows(tmp_path / "r.jsonl")  # type: ignore[arg-type]
    assert rows[0] == {"ext": "A"}
    assert rows[1].startswith("line 3 is not JSON")
    assert rows[2] == {"ext": 2}


def test_rows_from_iterable() -> None:
    assert rows_from_iterable(({"a": 1}, "x")) == [{"a": 1}, "x"]
    with pytest.raises(TypeError):
        rows_from_iterable({"a": 1})


def test_progress_line() -> None:
    assert progress_line(50, 200, 10.0, 3) == (
        "50/200 rows (25%), 5.0 rows/s, ETA 30s, 3 rate-limited (429) so far"
    )
    assert "ETA ?" in progress_line(0, 10, 0.0, 0)


def test_progress_logs_at_most_every_interval() -> None:
    now = [0.0]
    progress = Progress(total=10, interval=5.0, clock=lambda: now[0])
    progress.start()
    for _ in range(4):
        now[0] += 2.0
        progress.advance()
    assert progress.lines == ["3/10 rows (30%), 0.5 rows/s, ETA 14s, 0 rate-limited (429) so far"]


class _Reading:
    def __init__(self, limit: int | None, remaining: int, reset: float = 1.0) -> None:
        self.limit = limit
        self.remaining = remaining
        self.reset = reset


@pytest.mark.parametrize(
    ("current", "new_429", "reading", "expected"),
    [
        (4, 0, None, 5),
        (8, 0, None, 8),  # ceiling
        (4, 0, _Reading(100, 80), 5),
        (4, 0, _Reading(100, 20), 4),  # budget getting low: hold
        (4, 0, _Reading(None, 3), 5),
        (6, 2, _Reading(100, 0), 3),
        (1, 1, None, 1),  # floor
    ],
)
def test_next_concurrency(current: int, new_429: int, reading: Any, expected: int) -> None:
    assert next_concurrency(current, 8, new_429, reading) == expected


async def test_limiter_bounds_in_flight_work() -> None:
    import asyncio

    limiter = AdaptiveLimiter(3, start=2)

    async def work() -> None:
        async with limiter.slot():
            await asyncio.sleep(0.01)

    await asyncio.gather(*(work() for _ in range(10)))
    assert limiter.peak == 2
    await limiter.feedback(0, None)
    assert limiter.limit == 3
    await limiter.feedback(5, None)
    assert limiter.limit == 1
    with pytest.raises(ValueError, match=">= 1"):
        AdaptiveLimiter(0)
