"""A small DAG run with ``dag.test()`` against the sandbox: create a lead, then log calls on it
with dynamic task mapping, and read the results in a TaskFlow task.

``dag.test()`` needs a migrated metadata DB (fixture ``airflow_db``) and the DAG file inside
the dags folder (it syncs the dags-folder bundle first), so the file is written to a temporary
directory that ``AIRFLOW__CORE__DAGS_FOLDER`` and ``airflow.settings.DAGS_FOLDER`` point at.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.operators.dag_files import load_dag_module

DAG_FILE = textwrap.dedent(
    """
    from __future__ import annotations

    import pendulum
    from airflow.sdk import DAG, task

    from airflow_provider_close.operators.activities import CloseCreateCallOperator
    from airflow_provider_close.operators.leads import CloseCreateLeadOperator

    with DAG(
        "close_operators_it",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
    ) as dag:
        lead = CloseCreateLeadOperator(
            task_id="create_lead", name="{{ params.company }}", params={"company": "Mapped Co"}
        )
        calls = CloseCreateCallOperator.partial(
            task_id="log_calls",
            lead_id="{{ ti.xcom_pull(task_ids='create_lead')['id'] }}",
            direction="outbound",
        ).expand(duration=[30, 60, 90])

        @task
        def call_ids(results: list[dict]) -> list[str]:
            return sorted(result["id"] for result in results)

        lead >> calls
        call_ids(calls.output)
    """
)


@pytest.mark.integration
@pytest.mark.usefixtures("airflow_db", "close_conn")
def test_mapped_and_taskflow_dag_against_the_sandbox(seeded_sandbox, tmp_path, monkeypatch):
    module = load_dag_module(tmp_path, "close_operators_it", DAG_FILE, monkeypatch)

    run = module.dag.test()

    assert run.state == "success"
    leads = [lead for lead in seeded_sandbox.state.leads.values() if lead["name"] == "Mapped Co"]
    assert len(leads) == 1
    calls = [
        a
        for a in seeded_sandbox.state.activities.values()
        if a["_type"] == "Call" and a["lead_id"] == leads[0]["id"]
    ]
    assert sorted(call["duration"] for call in calls) == [30, 60, 90]
    links = _xcom_values(run.run_id, "_link_CloseLeadLink")
    expected = f"https://app.close.com/lead/{leads[0]['id']}/"
    assert links["create_lead"] == [expected]
    assert links["log_calls"] == [expected] * 3


def _xcom_values(run_id: str, key: str) -> dict[str, list[object]]:
    """Return task id -> the (deserialised) values stored under ``key`` in the run."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    values: dict[str, list[object]] = {}
    with create_session() as session:
        rows = session.scalars(XComModel.get_many(run_id=run_id, key=key)).all()
        for row in sorted(rows, key=lambda r: (r.task_id, r.map_index)):
            values.setdefault(row.task_id, []).append(XComModel.deserialize_value(row))
    return values
