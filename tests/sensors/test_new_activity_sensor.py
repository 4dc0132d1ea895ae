"""CloseNewActivitySensor against the sandbox, over real HTTP through the real client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close._compat import (
    AirflowRescheduleException,
    AirflowSensorTimeout,
    TaskDeferred,
)
from airflow_provider_close.client import CloseAuthError
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sensors.errors import CloseSensorError
from airflow_provider_close.sensors.new_activity import CloseNewActivitySensor
from airflow_provider_close.triggers.new_activity import CloseNewActivityTrigger

T0 = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
LEAD = "lead_" + "a" * 43
USER = "user_" + "b" * 43


def interval(start: datetime, length: timedelta = HOUR) -> dict[str, Any]:
    return {"data_interval_start": start, "data_interval_end": start + length}


def add(sandbox: CloseSandbox, kind: str, at: datetime, **fields: Any) -> str:
    record = sandbox.state.insert_activity(kind, date_created=at, **fields)
    return str(record["id"])


def sensor(**kwargs: Any) -> CloseNewActivitySensor:
    kwargs.setdefault("poke_interval", 0.05)
    kwargs.setdefault("timeout", 5)
    return CloseNewActivitySensor(task_id="wait_for_calls", **kwargs)


async def drive(trigger: CloseNewActivityTrigger, seconds: float = 10) -> dict[str, Any]:
    events = trigger.run()
    try:
        event = await asyncio.wait_for(events.__anext__(), seconds)
    finally:
        await events.aclose()
    return dict(event.payload)


def test_poke_counts_exactly_the_matching_activities_of_the_interval(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    inside = [add(sandbox, "call", T0 + timedelta(minutes=m)) for m in (0, 10, 59)]
    add(sandbox, "call", T0 - timedelta(microseconds=1))
    add(sandbox, "call", T0 + HOUR)
    add(sandbox, "sms", T0 + timedelta(minutes=5))
    result = sensor(activity_types=["call"], min_count=3).poke(interval(T0))
    assert result.is_done
    assert result.xcom_value == {
        "satisfied": True,
        "count": 3,
        "activity_ids": inside,
        "truncated": False,
        "watermark": (T0 + timedelta(minutes=59)).isoformat(timespec="microseconds"),
    }
    assert all(r.path == "/activity/call/" for r in sandbox.requests)


def test_not_enough_activities_times_out_in_poke_mode(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    add(sandbox, "call", T0)
    task = sensor(activity_types=["call"], min_count=2, timeout=0.2)
    assert not task.poke(interval(T0)).is_done
    with pytest.raises(AirflowSensorTimeout):
        task.execute(interval(T0))


def test_execute_in_poke_mode_returns_the_xcom_value(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    ids = [add(sandbox, "note", T0 + timedelta(minutes=m), lead_id=LEAD) for m in (1, 2, 3)]
    add(sandbox, "call", T0 + timedelta(minutes=4))  # another type on the same lead
    result = sensor(lead_id=LEAD, activity_types=["note"], max_items=2).execute(interval(T0))
    assert result["count"] == 3
    assert result["activity_ids"] == ids[:2]
    assert result["truncated"] is True


def test_any_type_on_one_lead_uses_the_generic_endpoint(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    ids = {add(sandbox, kind, T0, lead_id=LEAD) for kind in ("call", "sms", "note")}
    add(sandbox, "call", T0)  # no lead
    result = sensor(lead_id=LEAD, min_count=3).poke(interval(T0)).xcom_value
    assert set(result["activity_ids"]) == ids
    assert {r.path for r in sandbox.requests} == {"/activity/"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activity_types": ["call", "voicemail"]}, "unknown activity type"),
        ({"lead_id": "acti_" + "x" * 43}, "lead_id must be a Close id"),
        ({"user_id": USER}, "only together with lead_id"),
    ],
)
def test_invalid_filters_fail_before_any_request(
    sandbox: CloseSandbox, close_conn: Callable[..., str], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        sensor(**kwargs).poke(interval(T0))
    assert sandbox.requests == []


def test_without_interval_or_watermark_the_sensor_says_so(close_conn: Callable[..., str]) -> None:
    with pytest.raises(ValueError, match="no watermark"):
        sensor().poke({"data_interval_start": None, "data_interval_end": None})


def test_explicit_templated_bounds_override_the_interval(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    early = add(sandbox, "call", T0 - 2 * HOUR)
    add(sandbox, "call", T0)
    task = sensor(
        watermark="2026-02-28 22:00:00+00:00",  # as "{{ ... }}" renders
        upper_bound="2026-02-28T23:00:00+00:00",
        activity_types=["call"],
    )
    assert task.poke(interval(T0)).xcom_value["activity_ids"] == [early]


def test_open_ended_counts_everything_after_the_watermark(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    add(sandbox, "call", T0 + 30 * HOUR)
    assert not sensor(activity_types=["call"]).poke(interval(T0)).is_done
    assert sensor(activity_types=["call"], open_ended=True).poke(interval(T0)).is_done


def test_deferrable_defers_when_not_yet_satisfied_then_completes(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    task = sensor(activity_types=["call", "sms"], min_count=2, deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        task.execute(interval(T0))
    trigger = deferred.value.trigger
    assert isinstance(trigger, CloseNewActivityTrigger)
    assert deferred.value.method_name == "execute_complete"
    _, kwargs = trigger.serialize()
    assert kwargs["watermark"] == "2026-03-01T00:00:00.000000+00:00"
    assert kwargs["upper_bound"] == "2026-03-01T01:00:00.000000+00:00"
    assert kwargs["activity_types"] == ["call", "sms"]
    assert kwargs["close_conn_id"] == "close_default"
    # Activities arrive while the task is deferred; the trigger finds them.
    ids = [
        add(sandbox, "sms", T0 + timedelta(minutes=1)),
        add(sandbox, "call", T0 + 2 * timedelta(minutes=1)),
    ]
    event = asyncio.run(drive(trigger))
    result = task.execute_complete(interval(T0), event)
    assert result["activity_ids"] == ids
    assert result["count"] == 2


def test_deferrable_returns_at_once_when_already_satisfied(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    add(sandbox, "call", T0)
    result = sensor(activity_types=["call"], deferrable=True).execute(interval(T0))
    assert result["count"] == 1


def test_execute_complete_raises_a_typed_error_for_an_error_event() -> None:
    event = {"status": "error", "error_type": "CloseAuthError", "message": "GET activity/: 401"}
    with pytest.raises(CloseSensorError, match="CloseAuthError") as err:
        sensor().execute_complete({}, event)
    assert err.value.error_type == "CloseAuthError"


def test_backfill_each_interval_sees_exactly_its_activities(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    starts = [T0 + i * HOUR for i in range(4)]
    expected: dict[datetime, list[str]] = {start: [] for start in starts}
    for i in range(24):  # every 10 minutes, including each interval's exact start
        moment = T0 + timedelta(minutes=10 * i)
        expected[starts[i // 6]].append(add(sandbox, "call", moment))
    for start in starts:
        result = sensor(activity_types=["call"], min_count=6).poke(interval(start)).xcom_value
        assert result["activity_ids"] == expected[start]
        assert result["watermark"] == (start + timedelta(minutes=50)).isoformat(
            timespec="microseconds"
        )


class RescheduleTI:
    """The part of a task instance reschedule mode uses."""

    def get_first_reschedule_date(self, context: Any) -> None:
        return None


def test_reschedule_mode_frees_the_slot_until_satisfied(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    task = sensor(activity_types=["sms"], mode="reschedule", poke_interval=60)
    context = {**interval(T0), "ti": RescheduleTI()}
    with pytest.raises(AirflowRescheduleException):
        task.execute(context)
    add(sandbox, "sms", T0 + timedelta(minutes=3))
    assert task.execute(context)["count"] == 1


def test_literal_filters_are_checked_when_the_dag_is_parsed() -> None:
    with pytest.raises(ValueError, match="unknown activity type"):
        CloseNewActivitySensor(task_id="bad", activity_types=["fax"])
    # A templated filter can only be checked after rendering, before any request.
    task = CloseNewActivitySensor(task_id="later", activity_types="{{ params.kinds }}")
    assert task.activity_types == "{{ params.kinds }}"


def test_templated_comma_separated_types_render_to_per_type_queries(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    add(sandbox, "sms", T0)
    add(sandbox, "note", T0)
    task = sensor(activity_types="sms,call", min_count=1)
    assert task.poke(interval(T0)).xcom_value["count"] == 1
    assert {r.path for r in sandbox.requests} == {"/activity/call/", "/activity/sms/"}


def test_the_key_appears_in_no_log_and_no_error(
    sandbox: CloseSandbox, close_conn: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    add(sandbox, "call", T0)
    task = sensor(activity_types=["call"])
    assert task.poke(interval(T0)).is_done
    wrong = "sk_wrong_key_never_logged_4242"
    close_conn(password=wrong)
    with pytest.raises(CloseAuthError) as err:
        sensor(activity_types=["call"]).poke(interval(T0))
    assert "send_request_headers" in caplog.text  # the HTTP exchanges were logged
    for text in (caplog.text, str(err.value), repr(err.value), repr(task.__dict__)):
        assert sandbox.api_key not in text
        assert wrong not in text
