"""The approval task group in a real ``dag.test()`` run, answered through Airflow's HITL REST API.

``approved_lead_upsert`` plans five creates against a threshold of two, so the approval
task waits for a human (3.3: the task parks in ``awaiting_input``; 3.1: it defers to the
HITL trigger). A thread plays the human: it reads the request through the public REST API
(``GET .../hitlDetails``, the Required Actions page's source), checks that no lead was
created while it waited, and answers with ``PATCH .../hitlDetails``, the supported way to
respond (the app is built in-process on the same metadata DB, before ``dag.test()`` starts:
importing it from the thread while the run imports models deadlocks on import locks).
"""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close._compat import AIRFLOW_VERSION
from airflow_provider_close.sandbox import CloseSandbox
from tests.operators.dag_files import load_dag_module

DAG_ID = "close_bulk_approval_it"
DAG_FILE = textwrap.dedent(
    f"""
    from __future__ import annotations

    from datetime import timedelta

    import pendulum
    from airflow.sdk import DAG

    from airflow_provider_close.operators.approval import approved_lead_upsert

    ROWS = [{{"company": f"HITL Co {{i}}", "account_id": f"EXT-HITL-{{i}}"}} for i in range(5)]

    with DAG(
        "{DAG_ID}",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
    ) as dag:
        approved_lead_upsert(
            group_id="upsert",
            threshold={{"creates": 2}},
            approval={{"response_timeout": timedelta(minutes=4)}},
            mapping={{"name": "company", "custom": {{"External ID": "account_id"}}}},
            match_key="External ID",
            rows=ROWS,
        )
    """
)


def _hitl_leads(sandbox: CloseSandbox) -> list[dict[str, Any]]:
    return [lead for lead in sandbox.state.leads.values() if lead["name"].startswith("HITL Co")]


class Human(threading.Thread):
    """Answers the first HITL request of the DAG through the REST API."""

    def __init__(
        self, client: Any, sandbox: CloseSandbox, option: str, dag_id: str = DAG_ID
    ) -> None:
        super().__init__(daemon=True)
        self.client, self.sandbox, self.option, self.dag_id = client, sandbox, option, dag_id
        self.seen: dict[str, Any] = {}

    def run(self) -> None:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            listed = self.client.get(f"/api/v2/dags/{self.dag_id}/dagRuns/~/hitlDetails")
            details = [
                d for d in listed.json().get("hitl_details") or [] if not d["response_received"]
            ]  # an earlier test's request, already answered, is not this one
            if details:
                detail = details[0]
                self.seen["body"] = detail["body"]
                self.seen["leads_while_waiting"] = len(_hitl_leads(self.sandbox))
                ti = detail["task_instance"]
                url = (
                    f"/api/v2/dags/{self.dag_id}/dagRuns/{ti['dag_run_id']}/taskInstances/"
                    f"{ti['task_id']}/{ti['map_index']}/hitlDetails"
                )
                answer = self.client.patch(url, json={"chosen_options": [self.option]})
                self.seen["status"] = answer.status_code
                return
            time.sleep(0.5)


@pytest.fixture
def api_client(airflow_db: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The public REST API in-process, every caller an admin (simple auth manager)."""
    monkeypatch.setenv("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS", "True")
    monkeypatch.setenv("AIRFLOW__API_AUTH__JWT_SECRET", "approval-test-" + "s" * 64)
    from airflow.api_fastapi.app import create_app
    from fastapi.testclient import TestClient

    return TestClient(create_app("core"))


def _load_dag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    return load_dag_module(tmp_path, DAG_ID, DAG_FILE, monkeypatch).dag


def _states(run: Any) -> dict[str, str]:
    from airflow.utils.session import create_session

    with create_session() as session:
        tis = run.get_task_instances(session=session)
        return {ti.task_id: str(ti.state) for ti in tis}


@pytest.mark.integration
@pytest.mark.skipif(
    AIRFLOW_VERSION < (3, 3),
    reason="Airflow 3.1's dag.test() runs the HITL trigger in-process through a supervisor that "
    "does not serve its GetHITLDetail request ('Unhandled request'); 3.3 parks the task in "
    "awaiting_input and dag.test() waits for the REST API's answer",
)
@pytest.mark.usefixtures("close_conn")
@pytest.mark.parametrize("option", ["Approve", "Reject"])
def test_a_change_above_the_threshold_waits_for_a_human_and_only_approval_sends_it(
    seeded_sandbox: CloseSandbox,
    api_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    option: str,
) -> None:
    dag = _load_dag(tmp_path, monkeypatch)
    human = Human(api_client, seeded_sandbox, option)
    human.start()
    run = dag.test()
    human.join(10)

    assert human.seen["status"] == 200
    assert human.seen["leads_while_waiting"] == 0  # nothing sent before the answer
    assert "**Approval needed:** 5 creates > 2." in human.seen["body"]
    assert "would_create" in human.seen["body"]
    states = _states(run)
    assert states["upsert.plan"].endswith("success")
    assert states["upsert.approve"].endswith("success")
    if option == "Approve":
        assert states["upsert.apply"].endswith("success")
        assert len(_hitl_leads(seeded_sandbox)) == 5
    else:  # rejected: the apply task is skipped, nothing sent, the run does not fail
        assert states["upsert.apply"].endswith("skipped")
        assert _hitl_leads(seeded_sandbox) == []
    assert run.state == "success"
