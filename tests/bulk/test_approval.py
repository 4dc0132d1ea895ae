"""The plan counts, threshold and "within the approval" rule (``bulk/approval.py``, pure)."""

from __future__ import annotations

import pytest

from airflow_provider_close.bulk.approval import (
    ApprovalThreshold,
    PlannedChanges,
    delete_plan,
    exceeded_approval,
    plan_markdown,
    planned_changes,
)
from airflow_provider_close.client.errors import ClosePayloadError

PLAN = {
    "total": 5,
    "counts": {"would_create": 3, "would_update": 1, "unchanged": 1},
    "dry_run": True,
    "result_path": "/tmp/plan.jsonl",
    "sample": [{"row": 0, "key": "A|B", "action": "would_create", "close_id": None}],
}


def test_planned_changes_read_a_dry_run_and_refuse_anything_else() -> None:
    assert planned_changes(PLAN) == PlannedChanges(creates=3, updates=1, deletes=0)
    assert planned_changes(delete_plan(["a", "b", "a"])) == PlannedChanges(deletes=2)
    with pytest.raises(ClosePayloadError, match=r"plan\.dry_run"):
        planned_changes({**PLAN, "dry_run": False})  # a summary of writes already done
    with pytest.raises(ClosePayloadError, match="plan"):
        planned_changes("{'counts': {}}")
    with pytest.raises(ClosePayloadError, match=r"plan\.counts\.would_create"):
        planned_changes({**PLAN, "counts": {"would_create": -1}})


def test_the_threshold_says_which_counts_need_approval() -> None:
    assert ApprovalThreshold(creates=3, updates=1).passed_by(planned_changes(PLAN)) == []
    assert ApprovalThreshold(creates=2, deletes=0).passed_by(planned_changes(PLAN)) == [
        "3 creates > 2"
    ]
    assert ApprovalThreshold().passed_by(PlannedChanges(1000, 1000, 1000)) == []
    with pytest.raises(ClosePayloadError, match=r"threshold\.updates"):
        ApprovalThreshold(updates=-1)
    with pytest.raises(ClosePayloadError, match=r"threshold\.creates"):
        ApprovalThreshold(creates=True)


def test_only_an_approved_decision_covering_the_fresh_plan_lets_the_apply_send() -> None:
    approved = {"approved": True, "automatic": False, "by": "ann", "changes": {"creates": 3}}
    assert exceeded_approval(approved, PlannedChanges(creates=3)) is None
    assert exceeded_approval(approved, PlannedChanges(creates=2)) is None
    assert exceeded_approval(approved, PlannedChanges(creates=4)) == "4 creates > 3 approved"
    assert exceeded_approval(approved, PlannedChanges(updates=1)) == "1 updates > 0 approved"
    rejected = {**approved, "approved": False}
    assert exceeded_approval(rejected, PlannedChanges()) == "the change was not approved"
    assert exceeded_approval(None, PlannedChanges()) == "no approval decision (got NoneType)"


def test_the_body_shows_why_the_counts_a_sample_and_the_plan_file() -> None:
    body = plan_markdown(PLAN, planned_changes(PLAN), ["3 creates > 2"])
    assert "**Approval needed:** 3 creates > 2." in body
    assert "| 3 | 1 | 0 | 5 |" in body
    assert "| 0 | would_create | A\\|B |  |" in body  # a pipe in a key does not break the table
    assert "`/tmp/plan.jsonl`" in body
