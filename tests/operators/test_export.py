"""CloseExportOperator: deferred end to end in a ``dag.test()`` run (the trigger polls the
sandbox until the export is done), the gzip file stored as Close served it; plus the trigger's
error paths and the operator's input checks."""

from __future__ import annotations

import asyncio
import gzip
import importlib.util
import json
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.operators.export import CloseExportOperator
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.leads import create_lead
from airflow_provider_close.triggers.export import CloseExportTrigger

DAG_FILE = textwrap.dedent(
    """
    from __future__ import annotations

    import pendulum
    from airflow.sdk import DAG

    from airflow_provider_close.operators.export import CloseExportOperator

    with DAG(
        "close_export_it",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
    ) as dag:
        CloseExportOperator(
            task_id="export_leads",
            object_type="lead",
            path="{{ params.out }}/leads-{{ ds }}.json.gz",
            export_params={"include_activities": True},
            poll_interval=0.2,
            params={"out": "OUT"},
        )
    """
)


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.dag


@pytest.mark.integration
# Airflow 3.1's env-var secrets backend warns (DeprecationWarning, Connection.from_json of
# airflow.models) on every lookup; the async lookup a trigger makes swallows any exception and
# moves on to the next backend, so with warnings as errors the connection "isn't defined".
@pytest.mark.filterwarnings(
    "ignore:Using Connection.from_json from `airflow.models` is deprecated:DeprecationWarning"
)
@pytest.mark.usefixtures("airflow_db", "close_conn")
def test_export_runs_deferred_end_to_end_in_dag_test(
    sandbox: CloseSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airflow.settings

    sandbox.state.export_seconds = 1.0  # on the (running) sandbox clock
    meta = RequestMeta("POST", "/api/v1/lead/")
    leads = [create_lead(sandbox.state, {"name": f"L{n}"}, meta)["id"] for n in range(3)]
    out = tmp_path / "lake"
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "close_export_it.py").write_text(DAG_FILE.replace("OUT", str(out)))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(dags))
    monkeypatch.setattr(airflow.settings, "DAGS_FOLDER", str(dags))

    run = _load(dags / "close_export_it.py").test()

    assert run.state == "success"
    [stored] = list(out.iterdir())
    rows = json.loads(gzip.decompress(stored.read_bytes()))
    assert [row["id"] for row in rows] == leads
    assert all(row["activities"] == [] for row in rows)
    polls = [r for r in sandbox.requests if r.path.startswith("/export/expo_")]
    assert len(polls) >= 2  # waited (in the trigger) until done, then read the download URL
    assert [r.path for r in sandbox.requests if r.method == "POST"] == ["/export/lead/"]


def _run_trigger(trigger: CloseExportTrigger) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for event in trigger.run():
            return dict(event.payload)
        raise AssertionError("no event")

    return asyncio.run(first())


@pytest.mark.usefixtures("close_conn")
def test_trigger_reports_a_missing_export_as_an_error(sandbox: CloseSandbox) -> None:
    event = _run_trigger(CloseExportTrigger(close_conn_id="close_default", export_id="expo_x"))
    assert event["status"] == "error"
    assert event["error_type"] == "CloseNotFoundError"


@pytest.mark.usefixtures("close_conn")
def test_trigger_waits_on_the_sandbox_clock(sandbox: CloseSandbox) -> None:
    sandbox.clock.set(sandbox.clock.now())
    export = sandbox.state.exports
    from airflow_provider_close.sandbox.exports import create_export

    export_id = create_export(sandbox.state, "lead", {"format": "json"})["id"]
    assert export_id in export

    async def scenario() -> dict[str, Any]:
        trigger = CloseExportTrigger(
            close_conn_id="close_default", export_id=export_id, poll_interval=0.05
        )
        task = asyncio.ensure_future(_first(trigger))
        await asyncio.sleep(0.5)
        assert not task.done()  # the frozen clock never reaches the export's end
        sandbox.clock.advance(sandbox.state.export_seconds)
        return await asyncio.wait_for(task, 10)

    assert asyncio.run(scenario()) == {"status": "success", "export_id": export_id}


async def _first(trigger: CloseExportTrigger) -> dict[str, Any]:
    async for event in trigger.run():
        return dict(event.payload)
    raise AssertionError("no event")


def test_trigger_serializes_only_ids() -> None:
    trigger = CloseExportTrigger(close_conn_id="c", export_id="expo_1", poll_interval=5)
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_close.triggers.export.CloseExportTrigger"
    assert kwargs == {
        "close_conn_id": "c",
        "export_id": "expo_1",
        "poll_interval": 5,
        "max_transient_errors": 5,
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"object_type": "contact"}, "object_type must be one of"),
        ({"object_type": "lead", "poll_interval": 0}, "poll_interval must be positive"),
    ],
)
def test_bad_input_fails_at_parse(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CloseExportOperator(task_id="e", path="x.json.gz", **kwargs)


def test_failed_export_event_raises_without_storing(
    close_conn: Callable[..., str], tmp_path: Path
) -> None:
    op = CloseExportOperator(task_id="e", path=str(tmp_path / "x.json.gz"), object_type="lead")
    with pytest.raises(RuntimeError, match="Close export failed"):
        op.execute_complete({}, {"status": "error", "message": "boom"})
    assert list(tmp_path.iterdir()) == []
