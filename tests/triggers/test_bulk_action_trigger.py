"""CloseBulkEditTrigger against the sandbox: waits on the sandbox clock, reports a paused or
missing bulk edit as an error, and serializes only ids."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.bulk_actions import create_bulk_edit, pause_bulk_edit
from airflow_provider_close.triggers.bulk_action import CloseBulkEditTrigger

ACME = {"type": "text", "value": "acme"}


async def _first(trigger: CloseBulkEditTrigger) -> dict[str, Any]:
    async for event in trigger.run():
        return dict(event.payload)
    raise AssertionError("no event")


def _polls(sandbox: CloseSandbox, action_id: str) -> list[Any]:
    return [r for r in sandbox.requests if r.path == f"/bulk_action/edit/{action_id}/"]


def _status(sandbox: CloseSandbox, label: str) -> str:
    return next(s["id"] for s in sandbox.state.lead_statuses.values() if s["label"] == label)


@pytest.mark.usefixtures("close_conn")
def test_trigger_waits_on_the_sandbox_clock(sandbox: CloseSandbox) -> None:
    sandbox.clock.set(sandbox.clock.now())
    body = {"type": "set_lead_status", "lead_status_id": _status(sandbox, "Qualified")}
    action_id = create_bulk_edit(sandbox.state, {**body, "s_query": ACME}, "req_x")["id"]

    async def scenario() -> dict[str, Any]:
        trigger = CloseBulkEditTrigger(
            close_conn_id="close_default", bulk_action_id=action_id, poll_interval=0.05
        )
        task = asyncio.ensure_future(_first(trigger))
        for _ in range(200):  # until the trigger has polled at least twice (no fixed sleep)
            if len(_polls(sandbox, action_id)) >= 2:
                break
            await asyncio.sleep(0.05)
        assert not task.done()  # the frozen clock never reaches the end of the bulk edit
        sandbox.clock.advance(sandbox.state.bulk_action_seconds)
        return await asyncio.wait_for(task, 10)

    event = asyncio.run(scenario())
    assert event == {"status": "success", "bulk_action_id": action_id, "bulk_status": "done"}
    assert len(_polls(sandbox, action_id)) >= 3


@pytest.mark.usefixtures("close_conn")
def test_trigger_reports_a_paused_bulk_edit_as_an_error(sandbox: CloseSandbox) -> None:
    body = {"type": "set_lead_status", "lead_status_id": _status(sandbox, "Qualified")}
    action_id = create_bulk_edit(sandbox.state, {**body, "s_query": ACME}, "req_x")["id"]
    pause_bulk_edit(sandbox.state, action_id, {"status": "paused"})  # a user paused it
    trigger = CloseBulkEditTrigger(
        close_conn_id="close_default", bulk_action_id=action_id, poll_interval=0.05
    )
    event = asyncio.run(_first(trigger))
    assert event["status"] == "error"
    assert event["bulk_status"] == "paused"
    assert "paused" in event["message"]


@pytest.mark.usefixtures("close_conn")
def test_trigger_reports_a_missing_bulk_edit_as_an_error(sandbox: CloseSandbox) -> None:
    event = asyncio.run(
        _first(CloseBulkEditTrigger(close_conn_id="close_default", bulk_action_id="bulkedit_x"))
    )
    assert event["status"] == "error"
    assert event["error_type"] == "CloseNotFoundError"


def test_trigger_serializes_only_ids() -> None:
    trigger = CloseBulkEditTrigger(close_conn_id="c", bulk_action_id="bulkedit_1", poll_interval=5)
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_close.triggers.bulk_action.CloseBulkEditTrigger"
    assert kwargs == {
        "close_conn_id": "c",
        "bulk_action_id": "bulkedit_1",
        "poll_interval": 5,
        "max_transient_errors": 5,
    }
