"""Lineage end to end: a ``dag.test()`` run emits the operators' OpenLineage events (through
the provider's listener and its file transport), and without the provider nothing breaks.

Both run in a subprocess: the OpenLineage listener is registered when Airflow loads its plugins
(only if a transport is configured then), and the second one must not see the provider at all.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.lineage import close_namespace
from airflow_provider_close.sandbox import CloseSandbox

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]

DAG_FILE = textwrap.dedent(
    """
    from __future__ import annotations

    import pendulum
    from airflow.sdk import DAG, Asset

    from airflow_provider_close.operators.extract import CloseExtractActivitiesOperator
    from airflow_provider_close.operators.reads import CloseListUsersOperator

    with DAG(
        "close_lineage_it", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")
    ) as dag:
        CloseExtractActivitiesOperator(
            task_id="extract",
            path="OUT/calls-{{ params.day }}.jsonl",
            activity_types="call",
            start="2026-03-01T00:00:00Z",
            end="2026-03-02T00:00:00Z",
            params={"day": "2026-03-01"},
            outlets=[Asset(name="close_calls_daily")],
        )
        CloseListUsersOperator(task_id="users", output_path="OUT/users.jsonl")
    """
)

RUN_DAG = "import runpy; runpy.run_path({path!r})['dag'].test()"


def _run(code: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )


@pytest.mark.integration
@pytest.mark.usefixtures("airflow_db", "close_conn")
def test_dag_test_emits_the_datasets_and_the_asset_event_carries_the_file(
    sandbox: CloseSandbox, tmp_path: Path
) -> None:
    sandbox.state.insert_activity("call", date_created=T0 + timedelta(hours=2))
    out = tmp_path / "out"
    dag_path = tmp_path / "dags" / "close_lineage_it.py"
    dag_path.parent.mkdir()
    dag_path.write_text(DAG_FILE.replace("OUT", str(out)))
    events_file = tmp_path / "events.jsonl"
    transport = {"type": "file", "log_file_path": str(events_file), "append": True}
    env = {
        "AIRFLOW__CORE__DAGS_FOLDER": str(dag_path.parent),
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport),
        "AIRFLOW__OPENLINEAGE__NAMESPACE": "close_tests",
    }

    done = _run(RUN_DAG.format(path=str(dag_path)), env, tmp_path)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    events = [json.loads(line) for line in events_file.read_text().splitlines()]
    by_task: dict[tuple[str, str], dict[str, Any]] = {
        (e["job"]["name"], e["eventType"]): e for e in events if "." in e["job"]["name"]
    }
    org = close_namespace(sandbox.state.organization_id)
    for kind in ("START", "COMPLETE"):
        extract = by_task[("close_lineage_it.extract", kind)]
        assert [(d["namespace"], d["name"]) for d in extract["inputs"]] == [(org, "activity.call")]
        outputs = [(d["namespace"], d["name"]) for d in extract["outputs"]]
        assert ("file", str(out / "calls-2026-03-01.jsonl")) in outputs  # rendered path
        users = by_task[("close_lineage_it.users", kind)]
        assert [(d["namespace"], d["name"]) for d in users["inputs"]] == [(org, "user")]
        assert [(d["namespace"], d["name"]) for d in users["outputs"]] == [
            ("file", str(out / "users.jsonl"))
        ]
    assert sandbox.api_key not in events_file.read_text()

    home = Path(os.environ["AIRFLOW_HOME"])
    with sqlite3.connect(home / "airflow.db") as db:
        rows = db.execute(
            "select e.extra from asset_event e join asset a on a.id = e.asset_id"
            " where a.name = 'close_calls_daily' order by e.id desc limit 1"
        ).fetchall()
    extra = json.loads(rows[0][0])
    assert extra["path"] == str(out / "calls-2026-03-01.jsonl")
    assert extra["rows"] == 1
    assert extra["counts"] == {"call": 1}
    assert extra["start"].startswith("2026-03-01T00:00:00")


NO_OPENLINEAGE = textwrap.dedent(
    """
    import sys
    # Its client library and every module our lineage code could import: importing any of them
    # raises ImportError. (The provider's package itself stays: Airflow's provider discovery
    # reads its metadata from the installed distribution.)
    BLOCKED = (
        "openlineage",
        "airflow.providers.openlineage.extractors",
        "airflow.providers.openlineage.sqlparser",
        "airflow.providers.common.compat.openlineage",
    )
    for blocked in BLOCKED:
        sys.modules[blocked] = None
    from airflow_provider_close.operators.extract import CloseExtractActivitiesOperator
    from airflow_provider_close.operators.bulk import CloseUpsertLeadsOperator

    op = CloseExtractActivitiesOperator(task_id="extract", path={path!r}, activity_types="call")
    day = {{"data_interval_start": "2026-03-01T00:00Z", "data_interval_end": "2026-03-02T00:00Z"}}
    result = op.execute(day)
    assert result["rows"] == 1, result
    assert op.get_openlineage_facets_on_start() is None
    assert op.get_openlineage_facets_on_complete(None) is None
    bulk = CloseUpsertLeadsOperator(
        task_id="b", rows=[], mapping={{"name": "name"}}, match_key="name"
    )
    assert bulk.get_openlineage_facets_on_start() is None
    print("OK", sorted(m for m in sys.modules if m.startswith(BLOCKED) and sys.modules[m]))
    """
)


@pytest.mark.usefixtures("close_conn")
def test_the_operators_import_and_run_without_the_openlineage_provider(
    sandbox: CloseSandbox, tmp_path: Path
) -> None:
    sandbox.state.insert_activity("call", date_created=T0 + timedelta(hours=2))
    target = tmp_path / "calls.jsonl"

    done = _run(NO_OPENLINEAGE.format(path=str(target)), {}, tmp_path)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "OK []" in done.stdout
    assert len(target.read_text().splitlines()) == 1
