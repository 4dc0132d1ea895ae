"""example_close_extract_activities end to end: one day of activities -> NDJSON -> warehouse."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

DAG_ID = "example_close_extract_activities"


def table(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT id, activity_type, interval_start FROM close_activities ORDER BY id"
        ).fetchall()
    db.close()
    return rows


@pytest.mark.integration
def test_a_day_is_extracted_completely_and_reloads_without_duplicates(
    seeded_sandbox, warehouse, run_example, tmp_path
):
    sandbox = seeded_sandbox
    by_day = Counter(a["date_created"][:10] for a in sandbox.state.activities.values())
    busiest = max(sorted(by_day), key=lambda day: by_day[day])
    day = datetime.fromisoformat(busiest).replace(tzinfo=UTC)
    expected = sorted(
        (a["id"], a["_type"])
        for a in sandbox.state.activities.values()
        if a["date_created"].startswith(busiest)
    )
    assert len(expected) >= 2

    # A run at midnight covers the last complete day.
    run = run_example(DAG_ID, logical_date=day + timedelta(days=1))

    assert run.state == "success"
    path = tmp_path / "extract" / "activities" / f"{busiest}.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert sorted((a["id"], a["_type"]) for a in lines) == expected
    interval_start = f"{busiest}T00:00:00.000000+00:00"
    assert table(warehouse) == [(i, t, interval_start) for i, t in expected]

    # Re-running the day (a backfill with --reprocess-behavior completed) replaces it.
    first_file = path.read_bytes()
    rerun = run_example(DAG_ID, logical_date=day + timedelta(days=1))

    assert rerun.state == "success"
    assert path.read_bytes() == first_file
    assert table(warehouse) == [(i, t, interval_start) for i, t in expected]
