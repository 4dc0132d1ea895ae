"""CloseNewActivityTrigger: serialization without secrets, polling, transient vs fatal errors.

``run()`` is driven to its event inside the test against the sandbox (real HTTP, async client).
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.sandbox import CloseSandbox, Fault
from airflow_provider_close.sensors.errors import CloseSensorError
from airflow_provider_close.sensors.new_activity import CloseNewActivitySensor
from airflow_provider_close.triggers.new_activity import CloseNewActivityTrigger

T0 = datetime(2026, 3, 1, tzinfo=UTC)
WATERMARK = "2026-03-01T00:00:00.000000+00:00"
UPPER = "2026-03-01T01:00:00.000000+00:00"


def trigger(**kwargs: Any) -> CloseNewActivityTrigger:
    defaults: dict[str, Any] = {
        "close_conn_id": "close_default",
        "watermark": WATERMARK,
        "upper_bound": UPPER,
        "activity_types": ["call"],
        "poll_interval": 0.05,
    }
    return CloseNewActivityTrigger(**{**defaults, **kwargs})


async def first_event(trig: CloseNewActivityTrigger, seconds: float = 10) -> dict[str, Any]:
    events = trig.run()
    try:
        event = await asyncio.wait_for(events.__anext__(), seconds)
    finally:
        await events.aclose()
    return dict(event.payload)


def add_call(sandbox: CloseSandbox, minute: int) -> str:
    return str(
        sandbox.state.insert_activity("call", date_created=T0 + timedelta(minutes=minute))["id"]
    )


def test_serialize_round_trips_and_holds_no_secret(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    trig = trigger(lead_id="lead_" + "a" * 43, min_count=3, max_items=7, max_transient_errors=2)
    path, kwargs = trig.serialize()
    assert path == "airflow_provider_close.triggers.new_activity.CloseNewActivityTrigger"
    module, _, name = path.rpartition(".")
    trigger_class = getattr(importlib.import_module(module), name)
    assert trigger_class(**kwargs).serialize() == (path, kwargs)
    json.dumps(kwargs)  # JSON-safe
    for text in (json.dumps(kwargs), repr(trig)):
        assert sandbox.api_key not in text
    assert "password" not in kwargs
    assert "api_key" not in kwargs


def test_polls_until_enough_activities_arrive(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    first = add_call(sandbox, 1)

    async def scenario() -> dict[str, Any]:
        task = asyncio.ensure_future(first_event(trigger(min_count=2)))
        for _ in range(500):  # at least two polls saw only one call (bounded: 5 s)
            if len(sandbox.requests) >= 2 or task.done():
                break
            await asyncio.sleep(0.01)
        assert not task.done(), task.result()
        assert len(sandbox.requests) >= 2
        second = add_call(sandbox, 2)
        event = await task
        assert event["activity_ids"] == [first, second]
        return event

    event = asyncio.run(scenario())
    assert event["status"] == "success"
    assert event["count"] == 2
    assert event["truncated"] is False


def test_transient_server_errors_are_retried_then_succeed(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    close_conn(max_retries=0)  # the client gives up at once: the trigger's own retry is tested
    sandbox.add_fault(Fault(kind="server_error", status=503, path="/activity/call/", times=2))
    ids = [add_call(sandbox, 5)]
    event = asyncio.run(first_event(trigger(max_transient_errors=2)))
    assert event == {
        "status": "success",
        "satisfied": True,
        "count": 1,
        "activity_ids": ids,
        "truncated": False,
        "watermark": "2026-03-01T00:05:00.000000+00:00",
    }
    assert [r.status for r in sandbox.requests] == [503, 503, 200]


def test_too_many_transient_errors_end_with_an_error_event(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    close_conn(max_retries=0)
    sandbox.add_fault(Fault(kind="server_error", status=500, path="/activity/call/"))
    event = asyncio.run(first_event(trigger(max_transient_errors=2)))
    assert event["status"] == "error"
    assert event["error_type"] == "CloseServerError"
    assert len(sandbox.requests) == 3


def test_wrong_key_is_fatal_and_execute_complete_raises(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    close_conn(password="sk_wrong_key_0123456789")
    event = asyncio.run(first_event(trigger(max_transient_errors=5)))
    assert event["status"] == "error"
    assert event["error_type"] == "CloseAuthError"
    assert "401" in event["message"]
    assert sandbox.api_key not in json.dumps(event)
    assert "sk_wrong_key_0123456789" not in json.dumps(event)
    assert len(sandbox.requests) == 1  # no retry of a fatal error
    task = CloseNewActivitySensor(task_id="wait", deferrable=True)
    with pytest.raises(CloseSensorError) as err:
        task.execute_complete({}, event)
    assert err.value.error_type == "CloseAuthError"


def test_invalid_filters_end_with_an_error_event_before_any_request(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    event = asyncio.run(first_event(trigger(activity_types=["fax"])))
    assert event["status"] == "error"
    assert event["error_type"] == "ValueError"
    assert "unknown activity type" in event["message"]
    assert sandbox.requests == []


def test_unknown_connection_is_an_error_event(sandbox: CloseSandbox) -> None:
    event = asyncio.run(first_event(trigger(close_conn_id="no_such_close_conn")))
    assert event["status"] == "error"
    assert event["error_type"] == "AirflowNotFoundException"
