"""The event-driven example DAG in a real Airflow: Close events start DAG runs, exactly once.

Not ``dag.test()``: the scheduler, DAG processor, triggerer and API server (the execution API
LocalExecutor tasks report to) run as processes on a temporary ``AIRFLOW_HOME`` (SQLite,
LocalExecutor) against the sandbox on loopback. The test unpauses the DAG, logs a call in the
sandbox over plain HTTP and sees a DAG run succeed whose task saw that call's Close event.
Then it kills the triggerer (SIGKILL, a crash), logs a second call while it is down, starts
a new one and sees exactly one more run, for the second call only: no replay, no miss.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.real_airflow import RealAirflow, real_airflow

pytestmark = pytest.mark.airflow_processes

EXAMPLE = Path(__file__).resolve().parents[2] / "example_dags" / "example_close_event_driven.py"
DAG_ID = "example_close_event_driven"
WATCHERS = 3  # calls, won opportunities, lead status changes


def _log_call(sandbox: CloseSandbox, lead_id: str) -> str:
    """Log a call through the sandbox's HTTP API (as a Close user would); return its event id."""
    body = {"lead_id": lead_id, "direction": "inbound", "duration": 60, "note": "real airflow"}
    response = httpx.post(
        f"{sandbox.api_url.rstrip('/')}/activity/call/",
        json=body,
        auth=(sandbox.api_key, ""),
        timeout=10,
    )
    response.raise_for_status()
    call_id = response.json()["id"]
    events = [e for e in sandbox.state.events.values() if e["object_id"] == call_id]
    assert [e["action"] for e in events] == ["created"]
    return str(events[0]["id"])


def _new_lead(sandbox: CloseSandbox) -> str:
    response = httpx.post(
        f"{sandbox.api_url.rstrip('/')}/lead/",
        json={"name": "Real Airflow Inc."},
        auth=(sandbox.api_key, ""),
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["id"])


def _runs(af: RealAirflow) -> list[tuple[str, str]]:
    return [
        (str(run_id), str(state))
        for run_id, state in af.query(
            "select run_id, state from dag_run where dag_id = ? order by id", DAG_ID
        )
    ]


def _summaries(af: RealAirflow) -> dict[str, Any]:
    rows = af.query(
        "select run_id, value from xcom where dag_id = ? and task_id = 'summarise' "
        "and key = 'return_value'",
        DAG_ID,
    )
    return {str(run_id): json.loads(value) for run_id, value in rows}


def _succeeded(af: RealAirflow, count: int) -> list[tuple[str, str]] | None:
    runs = _runs(af)
    failed = [run for run in runs if run[1] == "failed"]
    assert not failed, f"{failed}\n{af.diagnostics()}"
    done = [run for run in runs if run[1] == "success"]
    return runs if len(done) >= count and len(runs) == len(done) else None


def _cursors(af: RealAirflow) -> int:
    rows = af.query("select count(*) from variable where key like 'close_events_cursor__%'")
    return int(rows[0][0]) if rows else 0


def test_close_events_start_dag_runs_once_across_a_triggerer_restart(
    sandbox: CloseSandbox, tmp_path: Path
) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    shutil.copy(EXAMPLE, dags / EXAMPLE.name)
    conn = {"conn_type": "close", "host": sandbox.url, "password": sandbox.api_key}
    env = {
        "AIRFLOW_CONN_CLOSE_DEFAULT": json.dumps(conn),
        "CLOSE_EVENTS_POLL_SECONDS": "1",
        # The DAG starts unpaused (an `airflow dags unpause` would cost a CLI start-up).
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
    }
    lead_id = _new_lead(sandbox)
    history = _log_call(sandbox, lead_id)  # before the watcher starts: not a new event

    with real_airflow(tmp_path / "home", dags_folder=dags, env=env) as af:
        af.start("dag-processor", "scheduler", "triggerer", "api-server")
        af.wait_for(
            lambda: af.query("select 1 from dag where dag_id = ? and not is_paused", DAG_ID),
            90,
            "the unpaused DAG",
        )
        # Each watcher stores its cursor after its first poll: from then on, events are new.
        af.wait_for(lambda: _cursors(af) >= WATCHERS, 90, "the watchers' first polls")

        first = _log_call(sandbox, lead_id)
        runs = af.wait_for(lambda: _succeeded(af, 1), 90, "the first event-driven run")
        assert _summaries(af) == {runs[0][0]: [first]}

        af.stop("triggerer", crash=True)
        second = _log_call(sandbox, lead_id)
        af.start("triggerer")
        runs = af.wait_for(lambda: _succeeded(af, 2), 90, "the run after the restart")
        assert _summaries(af) == {runs[0][0]: [first], runs[1][0]: [second]}
        assert history not in {first, second}

        asset_events = af.query(
            "select a.name, e.extra from asset_event e join asset a on a.id = e.asset_id"
        )
        assert [name for name, _ in asset_events] == ["close_calls_logged"] * 2
        for _, extra in asset_events:
            assert sandbox.api_key not in extra
        triggers = af.query("select kwargs from trigger")
        assert len(triggers) == WATCHERS
        assert all(sandbox.api_key not in str(kwargs) for (kwargs,) in triggers)
