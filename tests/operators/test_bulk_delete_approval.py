"""Approval of bulk deletes: ``approved_deletes`` (plan >> approve >> mapped deletes) and the
delete operators' ``approved=`` check, against the sandbox.

Each mapped delete refuses, before any request, unless the change was approved and its
``map_index`` is within the deletes approved. Within the threshold the approval is automatic
(both Airflow versions); above it a human answers through the HITL REST API (3.3, as in
``test_bulk_approval_dag.py``, whose ``Human`` and ``api_client`` this file reuses).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from airflow_provider_close._compat import AIRFLOW_VERSION
from airflow_provider_close.client import ClosePayloadError
from airflow_provider_close.operators.approval import CloseDeletePlanOperator
from airflow_provider_close.operators.deletions import CloseDeleteLeadOperator
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.leads import create_lead
from tests.operators.dag_files import load_dag_module
from tests.operators.fail_now import fails_now
from tests.operators.test_bulk_approval_dag import Human, _states, api_client

__all__ = ["api_client"]  # the fixture, imported for this module's tests

DAG_ID = "close_delete_approval_it"


def _leads(sandbox: CloseSandbox, count: int) -> list[str]:
    meta = RequestMeta("POST", "/api/v1/lead/")
    return [create_lead(sandbox.state, {"name": f"Doomed {n}"}, meta)["id"] for n in range(count)]


def _decision(approved: bool, deletes: int) -> dict[str, Any]:
    changes = {"creates": 0, "updates": 0, "deletes": deletes}
    return {"approved": approved, "automatic": False, "by": "ops", "changes": changes}


def _delete(lead_id: str, approved: Any) -> CloseDeleteLeadOperator:
    return CloseDeleteLeadOperator(
        task_id="delete", lead_id=lead_id, acknowledge_cascade=True, approved=approved
    )


def _mapped(index: int) -> dict[str, Any]:
    return {"ti": SimpleNamespace(map_index=index, try_number=1, start_date=None)}


@pytest.mark.usefixtures("close_conn")
@pytest.mark.parametrize(
    ("approved", "index", "why"),
    [
        (_decision(False, 3), 0, "the change was not approved"),
        (_decision(True, 2), 2, "3 deletes > 2 approved"),  # the third of two approved
        ({"approved": True}, 0, "no approval decision"),
    ],
)
def test_a_delete_the_approval_does_not_cover_is_refused_before_any_request(
    sandbox: CloseSandbox, approved: Any, index: int, why: str
) -> None:
    [lead] = _leads(sandbox, 1)
    with fails_now(ClosePayloadError, match=rf"delete\.approved: got '{why}"):
        _delete(lead, approved).execute(_mapped(index))
    assert sandbox.requests == []
    assert lead in sandbox.state.leads


@pytest.mark.usefixtures("close_conn")
def test_a_delete_within_the_approval_is_sent(sandbox: CloseSandbox) -> None:
    [lead] = _leads(sandbox, 1)
    assert _delete(lead, _decision(True, 2)).execute(_mapped(1))["action"] == "deleted"
    assert lead not in sandbox.state.leads


def test_the_plan_counts_distinct_ids_and_refuses_a_string() -> None:
    plan = CloseDeletePlanOperator(task_id="plan", ids=["lead_a", "lead_b", "lead_a"])
    result = plan.execute({})
    assert (result["counts"], result["dry_run"], result["total"]) == (
        {"would_delete": 2},
        True,
        2,
    )
    with pytest.raises(TypeError, match="ids: got str; allowed: a list of Close ids"):
        CloseDeletePlanOperator(task_id="plan", ids="lead_a").execute({})


def _dag_file(ids: list[str], threshold: int) -> str:
    return textwrap.dedent(
        f"""
        from __future__ import annotations

        from datetime import timedelta

        import pendulum
        from airflow.sdk import DAG

        from airflow_provider_close.operators.approval import approved_deletes
        from airflow_provider_close.operators.deletions import CloseDeleteLeadOperator

        with DAG(
            "{DAG_ID}",
            schedule=None,
            start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
            catchup=False,
        ) as dag:
            approved_deletes(
                group_id="cleanup",
                operator=CloseDeleteLeadOperator,
                ids={ids!r},
                threshold={{"deletes": {threshold}}},
                approval={{"response_timeout": timedelta(minutes=4)}},
                acknowledge_cascade=True,
            )
        """
    )


@pytest.mark.integration
@pytest.mark.usefixtures("airflow_db", "close_conn")
def test_deletes_within_the_threshold_are_approved_at_once_and_sent(
    sandbox: CloseSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _leads(sandbox, 3)
    dag = load_dag_module(tmp_path, DAG_ID, _dag_file(ids, threshold=5), monkeypatch).dag

    run = dag.test()

    assert run.state == "success"
    assert [i in sandbox.state.leads for i in ids] == [False, False, False]


@pytest.mark.integration
@pytest.mark.skipif(
    AIRFLOW_VERSION < (3, 3),
    reason="Airflow 3.1's dag.test() cannot serve the HITL trigger's GetHITLDetail request "
    "(see test_bulk_approval_dag.py); the refusal checks above run on 3.1 too",
)
@pytest.mark.usefixtures("close_conn")
@pytest.mark.parametrize("option", ["Approve", "Reject"])
def test_deletes_above_the_threshold_wait_for_a_human_and_only_approval_sends_them(
    sandbox: CloseSandbox,
    api_client: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    option: str,
) -> None:
    ids = _leads(sandbox, 4)
    dag = load_dag_module(tmp_path, DAG_ID, _dag_file(ids, threshold=2), monkeypatch).dag
    human = Human(api_client, sandbox, option, dag_id=DAG_ID)
    human.start()
    run = dag.test()
    human.join(10)

    assert human.seen["status"] == 200
    assert "**Approval needed:** 4 deletes > 2." in human.seen["body"]
    states = _states(run)
    assert states["cleanup.approve"].endswith("success")
    remaining = [i in sandbox.state.leads for i in ids]
    if option == "Approve":
        assert remaining == [False, False, False, False]
    else:  # rejected: the mapped deletes are skipped, nothing sent, the run does not fail
        assert remaining == [True, True, True, True]
        assert not [r for r in sandbox.requests if r.method == "DELETE"]
    assert run.state == "success"
