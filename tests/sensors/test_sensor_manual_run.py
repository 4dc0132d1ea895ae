"""The sensor in a manual run (``schedule=None``: no data interval) says what to give, and the
form it suggests works."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pendulum
import pytest
from airflow.sdk import DAG

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sensors.new_activity import CloseNewActivitySensor

TRIGGERED = datetime(2026, 3, 1, 12, tzinfo=UTC)
NO_INTERVAL = {"data_interval_start": None, "data_interval_end": None}


def test_a_run_without_interval_or_watermark_says_what_to_give(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    sensor = CloseNewActivitySensor(task_id="wait", poke_interval=0.05, timeout=1)

    with pytest.raises(ValueError, match="no watermark") as info:
        sensor.poke(NO_INTERVAL)  # type: ignore[arg-type]

    message = str(info.value)
    assert "schedule=None" in message
    assert 'watermark="{{ dag_run.run_after }}"' in message
    assert "open_ended=True" in message
    assert "CronDataIntervalTimetable" in message
    assert sandbox.requests == []  # nothing was sent


def test_the_suggested_watermark_counts_what_comes_after_the_trigger(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    sandbox.state.insert_activity("call", date_created=TRIGGERED - timedelta(minutes=5))
    later = sandbox.state.insert_activity("call", date_created=TRIGGERED + timedelta(hours=30))
    with DAG("manual", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")):
        sensor = CloseNewActivitySensor(
            task_id="wait",
            watermark="{{ dag_run.run_after }}",  # as the message suggests
            activity_types=["call"],
            poke_interval=0.05,
            timeout=1,
        )
    rendered = sensor.render_template(
        sensor.watermark, {"dag_run": type("Run", (), {"run_after": TRIGGERED})()}
    )

    sensor.watermark = rendered
    result = sensor.poke(NO_INTERVAL)  # type: ignore[arg-type]

    assert result.is_done
    assert result.xcom_value["activity_ids"] == [later["id"]]
