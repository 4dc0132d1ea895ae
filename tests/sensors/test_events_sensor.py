"""CloseEventSensor against the sandbox (real HTTP, real client): field changes fire, other
updates do not, each event counts once across overlapping polls, in every mode."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close._compat import AirflowRescheduleException, TaskDeferred
from airflow_provider_close.client import CloseClient
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sensors.errors import CloseSensorError
from airflow_provider_close.sensors.events import CloseEventSensor
from airflow_provider_close.triggers.event_wait import CloseEventWaitTrigger

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
WON = {
    "object_types": "opportunity",
    "actions": "updated",
    "changed_fields": "status_id",
    "data_equals": {"status_type": "won"},
}


def interval(start: datetime = T0, length: timedelta = HOUR) -> dict[str, Any]:
    return {"data_interval_start": start, "data_interval_end": start + length}


def sensor(**kwargs: Any) -> CloseEventSensor:
    kwargs.setdefault("poke_interval", 0.05)
    kwargs.setdefault("timeout", 5)
    return CloseEventSensor(task_id="wait_for_events", **kwargs)


@pytest.fixture
def api(seeded_sandbox: CloseSandbox) -> Iterator[CloseClient]:
    with CloseClient(api_key=seeded_sandbox.api_key, base_url=seeded_sandbox.api_url) as client:
        yield client


@pytest.fixture
def at(seeded_sandbox: CloseSandbox) -> Callable[[int], None]:
    """Freeze the sandbox clock ``minutes`` after T0 (events take their time from it)."""

    def move(minutes: int) -> None:
        seeded_sandbox.clock.set(T0 + timedelta(minutes=minutes))

    return move


def statuses(api: CloseClient) -> dict[str, str]:
    return {s["type"]: s["id"] for s in api.get("status/opportunity/")["data"]}


def test_fires_on_an_opportunity_won_and_not_on_other_updates(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    api: CloseClient,
    at: Callable[[int], None],
) -> None:
    lead_id = next(iter(seeded_sandbox.state.leads))
    status = statuses(api)
    at(1)
    opportunity = api.post("opportunity/", json={"lead_id": lead_id, "value": 100})["id"]
    at(2)
    api.put(f"opportunity/{opportunity}/", json={"value": 250})  # an update, not a status change
    at(3)
    api.put(f"opportunity/{opportunity}/", json={"status_id": status["lost"]})  # not won
    task = sensor(**WON)
    assert not task.poke(interval()).is_done

    at(4)
    api.put(f"opportunity/{opportunity}/", json={"status_id": status["won"]})
    result = task.poke(interval())
    assert result.is_done
    (summary,) = result.xcom_value["events"]
    assert summary["object_id"] == opportunity
    assert summary["data"]["status_type"] == "won"
    assert summary["previous_data"]["status_id"] == status["lost"]
    assert result.xcom_value["watermark"] == "2026-03-01T00:04:00.000000+00:00"
    requests = [r for r in seeded_sandbox.requests if r.path == "/event/"]
    assert {r.query.split("&")[0] for r in requests} == {"object_type=opportunity"}


def test_a_lead_status_change_counts_a_rename_does_not(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    api: CloseClient,
    at: Callable[[int], None],
) -> None:
    lead = api.post("lead/", json={"name": "Acme"})
    other_status = next(s for s in seeded_sandbox.state.lead_statuses if s != lead["status_id"])
    at(5)
    api.put(f"lead/{lead['id']}/", json={"name": "Acme Corp"})
    task = sensor(object_types="lead", actions="updated", changed_fields="status_id")
    assert task.poke(interval()).xcom_value["count"] == 0
    at(6)
    api.put(f"lead/{lead['id']}/", json={"status_id": other_status})
    result = task.poke(interval()).xcom_value
    assert [e["object_id"] for e in result["events"]] == [lead["id"]]
    assert result["events"][0]["data"]["status_id"] == other_status


def test_only_the_window_counts(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    api: CloseClient,
    at: Callable[[int], None],
) -> None:
    lead_id = next(iter(seeded_sandbox.state.leads))
    ids = []
    for minute in (-1, 0, 59, 60):
        at(minute)
        ids.append(api.post("activity/note/", json={"lead_id": lead_id, "note": "hi"})["id"])
    result = sensor(object_types="activity.note", actions="created", min_count=2).poke(interval())
    assert [e["object_id"] for e in result.xcom_value["events"]] == ids[1:3]


def test_deferred_each_event_counts_once_across_overlapping_polls(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    api: CloseClient,
    at: Callable[[int], None],
) -> None:
    lead_id = next(iter(seeded_sandbox.state.leads))
    at(1)
    first = api.post("activity/call/", json={"lead_id": lead_id})["id"]
    task = sensor(object_types="activity.call", actions="created", min_count=2, deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(interval())
    trigger = deferred.value.trigger
    assert isinstance(trigger, CloseEventWaitTrigger)
    assert seeded_sandbox.api_key not in json.dumps(trigger.serialize()[1])

    async def scenario() -> dict[str, Any]:
        events = trigger.run()
        waiting = asyncio.ensure_future(events.__anext__())
        polls = 0
        for _ in range(500):  # several polls re-list the first call (lookback overlap)
            polls = sum(r.path == "/event/" for r in seeded_sandbox.requests)
            if polls >= 4:
                break
            await asyncio.sleep(0.01)
        assert not waiting.done(), waiting.result()
        at(2)
        api.post("activity/call/", json={"lead_id": lead_id})
        event = await asyncio.wait_for(waiting, 5)
        await events.aclose()
        return dict(event.payload)

    payload = asyncio.run(scenario())
    assert payload["status"] == "success"
    assert payload["count"] == 2
    assert payload["events"][0]["object_id"] == first
    assert task.execute_complete({}, payload)["count"] == 2


class RescheduleTI:
    """The part of a task instance reschedule mode uses."""

    def get_first_reschedule_date(self, context: Any) -> None:
        return None


def test_reschedule_mode_frees_the_slot_until_satisfied(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    api: CloseClient,
    at: Callable[[int], None],
) -> None:
    task = sensor(object_types="activity.sms", actions="created", mode="reschedule")
    context = {**interval(), "ti": RescheduleTI()}
    with pytest.raises(AirflowRescheduleException):
        task.execute(context)
    at(3)
    lead_id = next(iter(seeded_sandbox.state.leads))
    api.post("activity/sms/", json={"lead_id": lead_id, "text": "hi", "status": "inbox"})
    assert task.execute(context)["count"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"object_types": "lead"}, "allowed combinations"),
        ({"actions": "created"}, "allowed combinations"),
        ({"object_types": "lead", "actions": "updated", "lead_id": "cont_1"}, "lead_id"),
    ],
)
def test_filters_close_refuses_fail_when_the_dag_is_parsed(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        sensor(**kwargs)


def test_templated_filters_are_checked_before_any_request(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    task = sensor(object_types="{{ params.kind }}")  # not checked at parse time
    task.object_types = "lead"  # rendered, but still without an action
    with pytest.raises(ValueError, match="allowed combinations"):
        task.poke(interval())
    assert sandbox.requests == []


def test_a_failed_trigger_raises_the_sensor_error() -> None:
    task = sensor(object_types="lead", actions="updated", deferrable=True)
    with pytest.raises(CloseSensorError) as err:
        task.execute_complete(
            {}, {"status": "error", "error_type": "CloseAuthError", "message": "401"}
        )
    assert err.value.error_type == "CloseAuthError"
