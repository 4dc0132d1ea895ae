"""example_close_cleanup_test_calls end to end: a dry run deletes nothing, then a real run
deletes exactly the marked calls of the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

DAG_ID = "example_close_cleanup_test_calls"


def calls(sandbox) -> set[str]:
    return {a["id"] for a in sandbox.state.activities.values() if a["_type"] == "Call"}


@pytest.mark.integration
def test_dry_run_reports_only_then_the_marked_calls_of_the_window_are_deleted(
    seeded_sandbox, api, run_example
):
    sandbox = seeded_sandbox
    lead = sorted(sandbox.state.leads)[0]

    def log_call(note: str) -> str:
        body = {"lead_id": lead, "direction": "outbound", "note": note}
        return str(api.post("activity/call/", body)["id"])

    sandbox.clock.set(datetime.now(UTC) - timedelta(days=10))
    too_old = log_call("[TEST IMPORT] row 0, before the window")
    sandbox.clock.reset()
    marked = {log_call(f"[Test Import] row {n}") for n in (1, 2, 3)}
    real = log_call("Real call about the test import results")
    all_calls = calls(sandbox)

    dry = run_example(DAG_ID)

    assert dry.state == "success"
    assert calls(sandbox) == all_calls

    run = run_example(DAG_ID, run_conf={"dry_run": False})

    assert run.state == "success"
    assert calls(sandbox) == all_calls - marked
    assert {too_old, real} <= calls(sandbox)
    deletes = [r.path for r in sandbox.requests if r.method == "DELETE"]
    assert sorted(deletes) == sorted(f"/activity/call/{call}/" for call in marked)
