"""``on_kill`` stops a bulk run cleanly, against the sandbox with latency.

The operator runs in the test's thread; another thread waits until some rows were written
(the sandbox's request log) and calls ``on_kill``, as Airflow's SIGTERM handler would. The
rows in flight finish, no row is started after the stop, the result file says where the run
stopped, and a re-run writes exactly the rows that were not attempted.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.operators.bulk import (
    CloseBulkCreateActivitiesOperator,
    CloseUpsertLeadsOperator,
)
from airflow_provider_close.sandbox import CloseSandbox

MAPPING = {"name": "company", "custom": {"External ID": "account_id"}}
ROWS = 60
CONCURRENCY = 4


def _posts(sandbox: CloseSandbox, path: str) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST" and r.path == path]


def _kill_after(
    sandbox: CloseSandbox, path: str, count: int, kill: Callable[[], None]
) -> tuple[threading.Thread, dict[str, int]]:
    """Start a thread calling ``kill()`` once ``count`` POSTs to ``path`` answered; it notes
    how many had arrived at that moment (``seen["arrived"]``)."""
    seen: dict[str, int] = {}

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            posts = _posts(sandbox, path)
            if sum(p.status is not None for p in posts) >= count:
                kill()
                seen["arrived"] = len(posts)
                return
            time.sleep(0.01)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread, seen


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _check_stopped_file(
    path: Path, *, total: int, posts: list[Any], rest_read: bool = True
) -> list[dict[str, Any]]:
    *rows, trailer = _lines(path)
    assert [r["row"] for r in rows] == list(range(total))
    created = [r for r in rows if r["action"] == "created"]
    skipped = [r for r in rows if r["action"] == "not_attempted"]
    assert len(created) + len(skipped) == total
    assert created
    assert skipped
    assert all("stopped before this row was sent" in r["error"] for r in skipped)
    # Requests in flight finished: every POST that reached the sandbox was answered, and
    # each is a created row; no not-attempted row was sent.
    assert all(p.status in (200, 201) for p in posts)
    assert len(posts) == len(created)
    assert trailer == {
        "stopped": True,
        "reason": "task killed (on_kill)",
        "rows_done": len(created),
        "rows_not_attempted": len(skipped),
        "rows_unknown": 0,
        "first_not_attempted_row": min(r["row"] for r in skipped),
        "rest_of_input_read": rest_read,
    }
    return skipped


def _upsert(rows: list[dict[str, Any]], result: Path, **kwargs: Any) -> CloseUpsertLeadsOperator:
    return CloseUpsertLeadsOperator(
        task_id="upsert",
        mapping=MAPPING,
        match_key="External ID",
        rows=rows,
        result_path=str(result),
        **kwargs,
    )


def _kill_mid_run(
    sandbox: CloseSandbox, op: Any, path: str, after: int, match: str = "bulk run stopped"
) -> dict[str, int]:
    """Run ``op`` with ``on_kill`` called once ``after`` POSTs to ``path`` answered."""
    watcher, seen = _kill_after(sandbox, path, after, op.on_kill)
    with pytest.raises(AirflowException, match=match):
        op.execute({"ti": MagicMock(), "run_id": "stop"})
    watcher.join(5)
    return seen


def _rerun(sandbox: CloseSandbox, op: CloseUpsertLeadsOperator) -> dict[str, Any]:
    sandbox.set_latency(0)
    sandbox.clock.advance(sandbox.search_lag)  # the re-run's search sees the leads
    return dict(op.execute({"ti": MagicMock(), "run_id": "rerun"}))  # type: ignore[arg-type]


def test_on_kill_mid_upsert_finishes_rows_in_flight_and_a_rerun_resumes(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    rows = [{"company": f"Stop Co {i}", "account_id": f"EXT-STOP-{i}"} for i in range(ROWS)]
    leads_before = len(seeded_sandbox.state.leads)
    seeded_sandbox.set_latency(100)
    result = tmp_path / "stopped.jsonl"
    op = _upsert(rows, result, max_concurrency=CONCURRENCY)
    match = r"bulk run stopped \(task killed \(on_kill\)\)"
    seen = _kill_mid_run(seeded_sandbox, op, "/lead/", 8, match)

    posts = _posts(seeded_sandbox, "/lead/")
    skipped = _check_stopped_file(result, total=ROWS, posts=posts)
    # No row was started after the stop: what arrived later was in flight at that moment.
    assert len(posts) - seen["arrived"] <= CONCURRENCY
    assert len(seeded_sandbox.state.leads) == leads_before + ROWS - len(skipped)

    again = _rerun(seeded_sandbox, _upsert(rows, tmp_path / "rerun.jsonl"))
    assert again["counts"]["created"] == len(skipped)
    assert again["counts"]["unchanged"] == ROWS - len(skipped)
    assert len(seeded_sandbox.state.leads) == leads_before + ROWS


def test_a_batched_upsert_reads_no_batch_after_the_stop(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    """The stop is one-way: the batch read after it is ``not_attempted``, the rest unread."""
    rows = [{"company": f"Batch Co {i}", "account_id": f"EXT-BSTOP-{i}"} for i in range(ROWS)]
    seeded_sandbox.set_latency(100)
    result = tmp_path / "stopped.jsonl"
    op = _upsert(rows, result, max_concurrency=CONCURRENCY, batch_size=10)
    _kill_mid_run(seeded_sandbox, op, "/lead/", 3)

    in_file = len(_lines(result)) - 1
    assert in_file < ROWS  # not the whole input
    assert in_file % 10 == 0  # whole batches
    posts = _posts(seeded_sandbox, "/lead/")
    skipped = _check_stopped_file(result, total=in_file, posts=posts, rest_read=False)
    assert {r["row"] for r in skipped} >= set(range(in_file - 10, in_file))  # the batch read last

    again = _rerun(seeded_sandbox, _upsert(rows, tmp_path / "rerun.jsonl", batch_size=10))
    assert again["counts"]["created"] == ROWS - len(posts)
    assert again["counts"]["unchanged"] == len(posts)


def test_on_kill_mid_contact_upsert_stops_taking_rows(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    """The child upserts (contacts here; opportunities share the engine) check the stop too."""
    from airflow_provider_close.operators.bulk_contacts import CloseUpsertContactsOperator

    rows = [
        {"person": f"Stop P {i}", "email": f"stop{i}@stop.example", "account_id": "EXT-1000"}
        for i in range(ROWS)
    ]
    seeded_sandbox.set_latency(100)
    result = tmp_path / "contacts.jsonl"
    op = CloseUpsertContactsOperator(
        task_id="contacts",
        mapping={"name": "person", "emails": ["email"]},
        match_key="email",
        lead_mapping=MAPPING,
        lead_match_key="External ID",
        rows=rows,
        result_path=str(result),
        max_concurrency=CONCURRENCY,
    )
    seen = _kill_mid_run(seeded_sandbox, op, "/contact/", 8)

    posts = _posts(seeded_sandbox, "/contact/")
    _check_stopped_file(result, total=ROWS, posts=posts)
    assert len(posts) - seen["arrived"] <= CONCURRENCY


def test_sigterm_mid_activity_run_stops_taking_rows(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    """Through a SIGTERM handler calling ``on_kill``, as Airflow's task runner installs one."""
    lead_id = next(iter(seeded_sandbox.state.leads))
    rows = [{"lead_id": lead_id, "note": f"stop note {i}"} for i in range(ROWS)]
    seeded_sandbox.set_latency(100)
    result = tmp_path / "notes.jsonl"
    op = CloseBulkCreateActivitiesOperator(
        task_id="notes",
        kind="note",
        rows=rows,
        result_path=str(result),
        max_concurrency=CONCURRENCY,
    )
    before = len(_posts(seeded_sandbox, "/activity/note/"))
    previous = signal.signal(signal.SIGTERM, lambda *_: op.on_kill())
    try:
        watcher, seen = _kill_after(
            seeded_sandbox,
            "/activity/note/",
            before + 8,
            lambda: os.kill(os.getpid(), signal.SIGTERM),
        )
        with pytest.raises(AirflowException, match="bulk run stopped"):
            op.execute({"ti": MagicMock(), "run_id": "stop"})  # type: ignore[arg-type]
    finally:
        signal.signal(signal.SIGTERM, previous)
    watcher.join(5)

    posts = _posts(seeded_sandbox, "/activity/note/")[before:]
    _check_stopped_file(result, total=ROWS, posts=posts)
    assert len(posts) + before - seen["arrived"] <= CONCURRENCY


def test_on_kill_before_execute_is_harmless() -> None:
    op = CloseUpsertLeadsOperator(task_id="upsert", mapping=MAPPING, match_key="name", rows=[])
    op.on_kill()  # nothing running: nothing to stop, no error
