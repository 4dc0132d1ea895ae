"""CloseBulkCreateActivitiesOperator against the sandbox: re-runs log nothing twice."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest

from airflow_provider_close.operators.bulk import CloseBulkCreateActivitiesOperator
from airflow_provider_close.sandbox import CloseSandbox, Fault


@pytest.fixture
def bulk_log(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> Callable[..., dict[str, Any]]:
    def run(kind: str, rows: list[Any], **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("result_path", str(tmp_path / f"{kind}.jsonl"))
        op = CloseBulkCreateActivitiesOperator(task_id="log", kind=kind, rows=rows, **kwargs)
        return dict(op.execute({"ti": MagicMock(), "run_id": "r"}))  # type: ignore[arg-type]

    return run


def _leads(sandbox: CloseSandbox) -> list[str]:
    return list(sandbox.state.leads)[:3]


def _posts(sandbox: CloseSandbox, suffix: str) -> int:
    return sum(1 for r in sandbox.requests if r.method == "POST" and r.path.endswith(suffix))


def _listings(sandbox: CloseSandbox, suffix: str) -> int:
    return sum(1 for r in sandbox.requests if r.method == "GET" and r.path.endswith(suffix))


def _calls(sandbox: CloseSandbox) -> list[dict[str, Any]]:
    leads = _leads(sandbox)
    return [
        {
            "lead_id": leads[i % 3],
            "direction": "outbound",
            "duration": 60 + i,
            "phone": "+14155550123",
            "note": f"Call number {i}",
            "activity_at": f"2026-03-01T1{i % 10}:00:00+00:00",
        }
        for i in range(12)
    ]


def test_calls_rerun_logs_nothing_twice_with_one_listing_per_lead(
    seeded_sandbox: CloseSandbox, bulk_log: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    rows = _calls(seeded_sandbox)
    first = bulk_log("call", rows)
    assert first["counts"]["created"] == 12
    assert _posts(seeded_sandbox, "/activity/call/") == 12
    assert _listings(seeded_sandbox, "/activity/call/") == 3  # one per lead, not per row
    again = bulk_log("call", rows)
    assert again["counts"]["unchanged"] == 12
    assert _posts(seeded_sandbox, "/activity/call/") == 12
    results = [json.loads(x) for x in (tmp_path / "call.jsonl").read_text().splitlines()]
    ids = {r["close_id"] for r in results}
    assert len(ids) == 12
    assert ids <= {a["id"] for a in seeded_sandbox.state.activities.values()}


def test_invalid_and_repeated_rows_are_reported_never_sent(
    seeded_sandbox: CloseSandbox, bulk_log: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    lead = _leads(seeded_sandbox)[0]
    rows = [
        {"lead_id": lead, "note": "Kick-off notes"},
        {"lead_id": lead, "note": "Kick-off  notes"},  # the same note (whitespace)
        {"lead_id": "lead_nope", "note": "x"},
        {"lead_id": lead},
        {"lead_id": lead, "note": "x", "colour": "red"},
        "garbage",
    ]
    summary = bulk_log("note", rows, max_failed_rows=10)
    results = [json.loads(x) for x in (tmp_path / "note.jsonl").read_text().splitlines()]
    assert [r["action"] for r in results] == [
        "created",
        "duplicate_key",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert results[1]["error"] == "same activity as row 0"
    assert "lead_id" in results[2]["error"]
    assert "note" in results[3]["error"]
    assert "colour" in results[4]["error"]
    assert summary["counts"]["created"] == 1
    assert _posts(seeded_sandbox, "/activity/note/") == 1


def test_tasks_and_sms_are_deduplicated_too(
    seeded_sandbox: CloseSandbox, bulk_log: Callable[..., dict[str, Any]]
) -> None:
    lead = _leads(seeded_sandbox)[1]
    tasks = [{"lead_id": lead, "text": f"Follow up {i}", "date": "2026-03-10"} for i in range(3)]
    sms = [
        {"lead_id": lead, "remote_phone": "+14155550123", "status": "sent", "text": f"Hi {i}"}
        for i in range(3)
    ]
    assert bulk_log("task", tasks)["counts"]["created"] == 3
    assert bulk_log("task", tasks)["counts"]["unchanged"] == 3
    assert bulk_log("sms", sms)["counts"]["created"] == 3
    assert bulk_log("sms", sms)["counts"]["unchanged"] == 3


def test_unknown_outcome_is_resolved_by_listing_before_resending(
    seeded_sandbox: CloseSandbox, bulk_log: Callable[..., dict[str, Any]]
) -> None:
    seeded_sandbox.add_fault(Fault("drop_after", method="POST", path="/activity/call/", times=2))
    rows = _calls(seeded_sandbox)[:4]
    summary = bulk_log("call", rows)
    assert summary["counts"]["created"] == 4
    logged = Counter(
        a.get("note") for a in seeded_sandbox.state.activities.values() if a.get("_type") == "Call"
    )
    assert all(logged[r["note"]] == 1 for r in rows)


def test_rows_with_nul_or_over_long_texts_are_reported_never_sent(
    seeded_sandbox: CloseSandbox, bulk_log: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    lead = _leads(seeded_sandbox)[0]
    rows = [
        {"lead_id": lead, "note": "fine"},
        {"lead_id": lead, "note": "bad\x00byte"},
        {"lead_id": lead, "note": "n" * 100_001},
    ]
    summary = bulk_log("note", rows, max_failed_rows=2)
    assert summary["counts"]["created"] == 1
    results = [json.loads(x) for x in (tmp_path / "note.jsonl").read_text().splitlines()]
    assert [r["action"] for r in results] == ["created", "invalid", "invalid"]
    assert "NUL" in results[1]["error"]
    assert "at most 100000 characters" in results[2]["error"]
    assert _posts(seeded_sandbox, "/activity/note/") == 1
