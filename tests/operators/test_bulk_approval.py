"""Approval of a bulk upsert, task by task against the sandbox: the plan, an automatic
approval within the threshold (no one waits), and the apply task refusing what was not
approved. The human path (HITL) runs in ``test_bulk_approval_dag.py``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.bulk.approval import ApprovalThreshold
from airflow_provider_close.operators.approval import CloseBulkApprovalOperator
from airflow_provider_close.operators.bulk import CloseUpsertLeadsOperator
from airflow_provider_close.sandbox import CloseSandbox

MAPPING = {"name": "company", "custom": {"External ID": "account_id"}}
ROWS = [{"company": f"Approve Co {i}", "account_id": f"EXT-APPR-{i}"} for i in range(5)]


def _upsert(tmp_path: Path, name: str, **kwargs: Any) -> dict[str, Any]:
    op = CloseUpsertLeadsOperator(
        task_id=name,
        mapping=MAPPING,
        match_key="External ID",
        rows=ROWS,
        result_path=str(tmp_path / f"{name}.jsonl"),
        **kwargs,
    )
    return dict(op.execute({"ti": MagicMock(), "run_id": "approval"}))  # type: ignore[arg-type]


def _lead_writes(sandbox: CloseSandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.method in ("POST", "PUT") and r.path == "/lead/"]


def test_within_the_threshold_the_change_is_approved_at_once_and_applied(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    leads = len(seeded_sandbox.state.leads)
    plan = _upsert(tmp_path, "plan", dry_run=True)
    assert _lead_writes(seeded_sandbox) == []
    approve = CloseBulkApprovalOperator(
        task_id="approve", plan=plan, threshold=ApprovalThreshold(creates=5)
    )
    decision = approve.execute({})  # type: ignore[arg-type]  # no HITL: nothing waits
    assert decision == {
        "approved": True,
        "automatic": True,
        "by": None,
        "changes": {"creates": 5, "updates": 0, "deletes": 0},
    }
    summary = _upsert(tmp_path, "apply", approved=decision)
    assert summary["counts"]["created"] == 5
    assert len(seeded_sandbox.state.leads) == leads + 5


@pytest.mark.parametrize(
    ("decision", "reason"),
    [
        (
            {"approved": False, "automatic": False, "by": "ann", "changes": {"creates": 5}},
            "the change was not approved",
        ),
        (
            {"approved": True, "automatic": False, "by": "ann", "changes": {"creates": 4}},
            "5 creates > 4 approved",
        ),
        ("{'approved': True}", "no approval decision"),
    ],
)
def test_the_apply_task_sends_nothing_beyond_the_approval(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    tmp_path: Path,
    decision: object,
    reason: str,
) -> None:
    leads = len(seeded_sandbox.state.leads)
    with pytest.raises(AirflowFailException, match=f"nothing sent: {reason}"):
        _upsert(tmp_path, "apply", approved=decision)
    assert _lead_writes(seeded_sandbox) == []
    assert len(seeded_sandbox.state.leads) == leads


def test_a_streamed_input_is_read_again_for_the_re_plan_then_applied_in_batches(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    """The re-plan is a dry run over a fresh read of the file, so the real run sees every row."""
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in ROWS))
    leads = len(seeded_sandbox.state.leads)
    decision = {"approved": True, "automatic": True, "by": None, "changes": {"creates": 5}}
    op = CloseUpsertLeadsOperator(
        task_id="apply",
        mapping=MAPPING,
        match_key="External ID",
        file=str(source),
        batch_size=2,
        approved=decision,
        result_path=str(tmp_path / "apply.jsonl"),
    )
    summary = op.execute({"ti": MagicMock(), "run_id": "approval"})  # type: ignore[arg-type]
    assert summary["counts"]["created"] == 5
    assert len(seeded_sandbox.state.leads) == leads + 5
    searches = [r for r in seeded_sandbox.requests if r.path == "/data/search/"]
    assert len(searches) == 6  # the re-plan's 3 batches, then the real run's 3
