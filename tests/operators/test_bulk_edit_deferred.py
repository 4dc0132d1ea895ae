"""CloseBulkEditOperator deferred end to end in ``dag.test()``: the trigger polls the sandbox
until Close reports the bulk edit done, then the task reads the result."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.leads import create_lead
from tests.operators.test_export import _load  # the DAG file loader of the export test


def _status(sandbox: CloseSandbox, label: str) -> str:
    return next(s["id"] for s in sandbox.state.lead_statuses.values() if s["label"] == label)


DAG_FILE = textwrap.dedent(
    """
    from __future__ import annotations

    import pendulum
    from airflow.sdk import DAG

    from airflow_provider_close.operators.bulk_edit import CloseBulkEditOperator

    with DAG(
        "close_bulk_edit_it",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
    ) as dag:
        CloseBulkEditOperator(
            task_id="qualify",
            query={"type": "text", "value": "acme"},
            edit_type="set_lead_status",
            lead_status_id="STATUS",
            poll_interval=0.2,
        )
    """
)


@pytest.mark.integration
# Airflow 3.1's env-var secrets backend warns (DeprecationWarning, Connection.from_json of
# airflow.models) on every lookup; the async lookup a trigger makes swallows any exception and
# moves on to the next backend, so with warnings as errors the connection "isn't defined".
@pytest.mark.filterwarnings(
    "ignore:Using Connection.from_json from `airflow.models` is deprecated:DeprecationWarning"
)
@pytest.mark.usefixtures("airflow_db", "close_conn")
def test_bulk_edit_runs_deferred_end_to_end_in_dag_test(
    sandbox: CloseSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import airflow.settings

    sandbox.state.bulk_action_seconds = 1.0  # on the (running) sandbox clock
    meta = RequestMeta("POST", "/api/v1/lead/")
    ids = [create_lead(sandbox.state, {"name": n}, meta)["id"] for n in ("Acme 1", "Acme 2", "X")]
    sandbox.clock.advance(sandbox.search_lag)
    won = _status(sandbox, "Qualified")
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "close_bulk_edit_it.py").write_text(DAG_FILE.replace("STATUS", won))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(dags))
    monkeypatch.setattr(airflow.settings, "DAGS_FOLDER", str(dags))

    run = _load(dags / "close_bulk_edit_it.py").test()

    assert run.state == "success"
    assert [sandbox.state.leads[i]["status_id"] == won for i in ids] == [True, True, False]
    [action_id] = sandbox.state.bulk_edits
    polls = [r for r in sandbox.requests if r.path == f"/bulk_action/edit/{action_id}/"]
    assert len(polls) >= 2  # waited in the trigger until done, then read the result
    assert [r.path for r in sandbox.requests if r.method == "POST"] == [
        "/data/search/",
        "/bulk_action/edit/",
    ]
