"""Delete operators and the generic request operator against the sandbox."""

from __future__ import annotations

import pytest

from airflow_provider_close.client import CloseNotFoundError, ClosePayloadError
from airflow_provider_close.operators.deletions import (
    CloseDeleteActivityOperator,
    CloseDeleteCallOperator,
    CloseDeleteLeadOperator,
    CloseDeleteTaskOperator,
)
from airflow_provider_close.operators.request import CloseRequestOperator
from tests.operators.fail_now import fails_now

pytestmark = pytest.mark.usefixtures("close_conn")


def _first_activity(sandbox, type_name: str) -> dict:
    return next(a for a in sandbox.state.activities.values() if a["_type"] == type_name)


def test_delete_call_then_again_with_missing_ok(seeded_sandbox, context):
    call = _first_activity(seeded_sandbox, "Call")
    result = CloseDeleteCallOperator(task_id="d", activity_id=call["id"]).execute(context)
    assert result == {"id": call["id"], "object": None, "action": "deleted"}
    assert call["id"] not in seeded_sandbox.state.activities

    again = CloseDeleteCallOperator(task_id="d", activity_id=call["id"], missing_ok=True)
    assert again.execute(context)["action"] == "already_deleted"
    with fails_now(CloseNotFoundError):
        CloseDeleteCallOperator(task_id="d", activity_id=call["id"]).execute(context)


def test_delete_any_activity_type(seeded_sandbox, context):
    note = _first_activity(seeded_sandbox, "Note")
    op = CloseDeleteActivityOperator(task_id="d", activity_type="note", activity_id=note["id"])
    assert op.execute(context)["action"] == "deleted"
    assert note["id"] not in seeded_sandbox.state.activities


def test_delete_task(seeded_sandbox, context):
    task = next(iter(seeded_sandbox.state.tasks.values()))
    op = CloseDeleteTaskOperator(task_id="d", close_task_id=task["id"])
    assert op.execute(context)["action"] == "deleted"
    assert task["id"] not in seeded_sandbox.state.tasks


def test_delete_lead_requires_acknowledged_cascade(seeded_sandbox, context):
    lead = next(iter(seeded_sandbox.state.leads.values()))
    refused = CloseDeleteLeadOperator(task_id="d", lead_id=lead["id"])
    with fails_now(ClosePayloadError, match=r"delete\.acknowledge_cascade: got False"):
        refused.execute(context)
    assert seeded_sandbox.requests == []
    assert lead["id"] in seeded_sandbox.state.leads

    op = CloseDeleteLeadOperator(task_id="d", lead_id=lead["id"], acknowledge_cascade=True)
    assert op.execute(context)["action"] == "deleted"
    assert lead["id"] not in seeded_sandbox.state.leads
    assert not [c for c in seeded_sandbox.state.contacts.values() if c["lead_id"] == lead["id"]]
    again = CloseDeleteLeadOperator(
        task_id="d", lead_id=lead["id"], acknowledge_cascade=True, missing_ok=True
    )
    assert again.execute(context)["action"] == "already_deleted"


def test_request_operator_get_and_post(seeded_sandbox, context):
    body = CloseRequestOperator(task_id="r", method="GET", endpoint="/status/lead/").execute(
        context
    )
    assert {s["label"] for s in body["data"]} >= {"Potential", "Customer"}

    lead = next(iter(seeded_sandbox.state.leads.values()))
    created = CloseRequestOperator(
        task_id="r",
        method="post",
        endpoint="activity/note/",
        body={"lead_id": lead["id"], "note": "raw"},
    ).execute(context)
    assert seeded_sandbox.state.activities[created["id"]]["note"] == "raw"

    page = CloseRequestOperator(
        task_id="r", method="GET", endpoint="lead/", query={"_limit": 2, "_fields": "id"}
    ).execute(context)
    assert len(page["data"]) == 2
    assert set(page["data"][0]) == {"id"}
