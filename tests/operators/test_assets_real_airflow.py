"""An extraction's Asset outlet schedules a downstream DAG in a real Airflow (not dag.test()):
DAG processor, scheduler and API server as processes on a temporary AIRFLOW_HOME against the
sandbox. The producer runs once; the consumer's run sees the file in its triggering event."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.real_airflow import real_airflow

pytestmark = pytest.mark.airflow_processes

DAGS = textwrap.dedent(
    """
    from __future__ import annotations

    import pendulum
    from airflow.sdk import Asset, dag, task

    from airflow_provider_close.operators.extract import CloseExtractActivitiesOperator

    LANDED = Asset(name="close_calls_landed")


    @dag(schedule="@once", start_date=pendulum.datetime(2026, 1, 1, tz="UTC"))
    def close_assets_producer():
        CloseExtractActivitiesOperator(
            task_id="extract",
            path="OUT/calls.jsonl",
            activity_types="call",
            start="2026-03-01T00:00:00Z",
            end="2026-03-02T00:00:00Z",
            outlets=[LANDED],
        )


    @dag(schedule=[LANDED], start_date=pendulum.datetime(2026, 1, 1, tz="UTC"))
    def close_assets_consumer():
        @task
        def landed(triggering_asset_events=None):
            return [dict(event.extra) for event in triggering_asset_events[LANDED]]

        landed()


    close_assets_producer()
    close_assets_consumer()
    """
)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_extraction_outlet_starts_the_downstream_dag_with_the_file(
    sandbox: CloseSandbox, tmp_path: Path
) -> None:
    sandbox.state.insert_activity("call", date_created=datetime(2026, 3, 1, 2, tzinfo=UTC))
    sandbox.state.insert_activity(
        "call", date_created=datetime(2026, 3, 2, tzinfo=UTC) + timedelta(hours=1)
    )
    dags, out = tmp_path / "dags", tmp_path / "out"
    dags.mkdir()
    (dags / "close_assets_it.py").write_text(DAGS.replace("OUT", str(out)))
    conn = {"conn_type": "close", "host": sandbox.url, "password": sandbox.api_key}
    env = {
        "AIRFLOW_CONN_CLOSE_DEFAULT": json.dumps(conn),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
    }
    with real_airflow(tmp_path / "home", dags_folder=dags, env=env) as af:
        af.start("api-server", "dag-processor")
        # Tasks report to the API server's execution API: the scheduler starts once it answers.
        af.wait_for(lambda: _answers(f"{af.api_url}/api/v2/monitor/health"), 120, "the API")
        af.start("scheduler")

        def consumer_done() -> list[tuple[object, ...]] | None:
            failed = af.query("select dag_id from dag_run where state = 'failed'")
            assert not failed, f"{failed}\n{af.diagnostics()}"
            rows = af.query(
                "select value from xcom where dag_id = 'close_assets_consumer'"
                " and task_id = 'landed' and key = 'return_value'"
            )
            return rows or None

        rows = af.wait_for(consumer_done, 240, "the consumer DAG's run")
    (extras,) = [json.loads(value) for (value,) in rows]
    assert len(extras) == 1
    assert extras[0]["path"] == str(out / "calls.jsonl")
    assert extras[0]["rows"] == 1
    assert extras[0]["counts"] == {"call": 1}
    assert sandbox.api_key not in json.dumps(extras)
