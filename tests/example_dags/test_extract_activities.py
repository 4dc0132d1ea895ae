"""example_close_extract_activities end to end: one day of activities -> NDJSON -> warehouse."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

DAG_ID = "example_close_extract_activities"


def landed_events(home: Path) -> tuple[list[dict[str, object]], list[str]]:
    """Return the extras of the ``close_activities_daily`` events, newest first, and the DAGs
    queued to run on the Asset (the scheduler creates their runs)."""
    with sqlite3.connect(home / "airflow.db") as db:
        extras = db.execute(
            "SELECT e.extra FROM asset_event e JOIN asset a ON a.id = e.asset_id"
            " WHERE a.name = 'close_activities_daily' ORDER BY e.id DESC"
        ).fetchall()
        queued = db.execute(
            "SELECT q.target_dag_id FROM asset_dag_run_queue q JOIN asset a ON a.id = q.asset_id"
            " WHERE a.name = 'close_activities_daily'"
        ).fetchall()
    db.close()
    return [json.loads(extra) for (extra,) in extras], [dag_id for (dag_id,) in queued]


def table(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT id, activity_type, interval_start FROM close_activities ORDER BY id"
        ).fetchall()
    db.close()
    return rows


@pytest.mark.integration
def test_a_day_is_extracted_completely_and_reloads_without_duplicates(
    seeded_sandbox, warehouse, run_example, tmp_path, example_airflow_db
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
    # The outlet's event says which file landed. The consumer DAG (synced by dag.test(),
    # paused like every new DAG) is unpaused, so the re-run's event queues it.
    extras, queued = landed_events(example_airflow_db)
    assert extras[0]["path"] == str(path)
    assert extras[0]["rows"] == len(expected)
    assert extras[0]["start"] == interval_start
    assert queued == []
    landed_before = len(extras)
    with sqlite3.connect(example_airflow_db / "airflow.db") as db:
        db.execute("UPDATE dag SET is_paused = 0 WHERE dag_id = 'example_close_activities_landed'")
    db.close()

    # Re-running the day (a backfill with --reprocess-behavior completed) replaces it.
    first_file = path.read_bytes()
    rerun = run_example(DAG_ID, logical_date=day + timedelta(days=1))

    assert rerun.state == "success"
    assert path.read_bytes() == first_file
    extras, queued = landed_events(example_airflow_db)
    assert len(extras) == landed_before + 1
    assert extras[0]["path"] == str(path)
    assert queued == ["example_close_activities_landed"]  # the scheduler creates its run
    assert table(warehouse) == [(i, t, interval_start) for i, t in expected]
