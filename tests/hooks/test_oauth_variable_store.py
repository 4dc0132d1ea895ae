"""The Variable token store inside real Airflow tasks (``dag.test()``: Execution API in-process).

Task code reaches Variables only through the Execution API, so this is where the binding is
proven: the hook's default store writes the rotated token there (from the async client too), later
hooks adopt it, the
lease round-trips, a shadowing secrets backend stops the refresh before it rotates, and no
secret reaches XCom.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.hooks.oauth_store import token_store_key
from airflow_provider_close.sandbox import CloseSandbox

CONN_ID = "close_oauth"
DAG_FILE = """
import pendulum
from airflow.sdk import dag, task


@dag(dag_id="oauth_variables", schedule=None, start_date=pendulum.datetime(2026, 1, 1))
def oauth_variables():
    @task
    def call_close_async():  # refreshes: the async client's store calls run in a thread
        import asyncio

        from airflow_provider_close.hooks.close import CloseHook

        async def me():
            async with CloseHook("close_oauth").new_async_client() as client:
                return (await client.get("me/"))["id"]

        return {"async_user": asyncio.run(me())}

    @task
    def call_close():
        from airflow_provider_close.hooks.close import CloseHook

        first = CloseHook("close_oauth").get_me()
        second = CloseHook("close_oauth").get_me()  # another hook: the stored token, no refresh
        return {"email": first["email"], "same_user": first["id"] == second["id"]}

    @task
    def lease_round_trip():
        from airflow_provider_close.hooks.oauth_store import VariableKeyValue, variable_token_store

        store = variable_token_store("close_oauth")
        lease = store.acquire()
        claimed = VariableKeyValue().get(store.lock_key)
        store.release(lease)
        return {"held": lease.held, "claimed": claimed is not None,
                "released": VariableKeyValue().get(store.lock_key) is None}

    call_close_async() >> call_close() >> lease_round_trip()


dag = oauth_variables()
"""


@pytest.fixture(scope="module")
def airflow_db() -> None:
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, timeout=300)


@pytest.fixture
def run_dag(airflow_db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], Any]:
    import airflow.settings

    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "oauth_variables.py").write_text(textwrap.dedent(DAG_FILE))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(dags))
    monkeypatch.setattr(airflow.settings, "DAGS_FOLDER", str(dags))

    def run() -> Any:
        spec = importlib.util.spec_from_file_location(
            "oauth_variables", dags / "oauth_variables.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.dag.test(logical_date=datetime.now(UTC))

    return run


@pytest.fixture
def oauth_conn(sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch) -> str:
    """A refreshing OAuth connection to the sandbox; returns the bootstrap refresh token."""
    from airflow.models.variable import Variable

    Variable.delete(token_store_key(CONN_ID))
    bootstrap = str(sandbox.issue_oauth_tokens()["refresh_token"])
    conn = {
        "conn_type": "close",
        "host": sandbox.url,
        "extra": {
            "auth_type": "oauth",
            "client_id": sandbox.oauth_client_id,
            "client_secret": sandbox.oauth_client_secret,
            "refresh_token": bootstrap,
        },
    }
    monkeypatch.setenv(f"AIRFLOW_CONN_{CONN_ID.upper()}", json.dumps(conn))
    return bootstrap


def _xcom_texts(run_id: str) -> list[str]:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(select(XComModel).where(XComModel.run_id == run_id)).all()
        return [json.dumps(row.value) for row in rows]


@pytest.mark.integration
def test_tasks_store_rotated_tokens_in_a_variable(
    sandbox: CloseSandbox,
    oauth_conn: str,
    run_dag: Callable[[], Any],
    capfd: pytest.CaptureFixture[str],
) -> None:
    from airflow.models.variable import Variable

    dr = run_dag()
    assert dr.state == "success"
    assert [g.outcome for g in sandbox.oauth.grants] == ["granted"]  # later hooks adopted it
    stored = json.loads(Variable.get(token_store_key(CONN_ID)))
    assert sandbox.oauth.is_live_refresh_token(stored["refresh_token"])
    assert not sandbox.oauth.is_live_refresh_token(oauth_conn)
    values = _xcom_texts(dr.run_id)
    assert any('"same_user": true' in v for v in values)
    assert any(sandbox.state.me["id"] in v for v in values)  # the async task
    assert any('"held": true, "claimed": true, "released": true' in v for v in values)
    secrets = {sandbox.oauth_client_secret, *sandbox.oauth.token_texts()}
    out = capfd.readouterr()
    for text in [*values, out.out, out.err]:
        assert not [s for s in secrets if s in text]


@pytest.mark.integration
def test_a_shadowing_secrets_backend_stops_the_refresh_naming_the_connection(
    sandbox: CloseSandbox,
    oauth_conn: str,
    run_dag: Callable[[], Any],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    record = {"refresh_token": "refresh_from_an_old_chain", "origin": "elsewhere"}
    monkeypatch.setenv(f"AIRFLOW_VAR_{token_store_key(CONN_ID).upper()}", json.dumps(record))
    dr = run_dag()
    assert dr.state == "failed"
    assert sandbox.oauth.grants == []  # refused before spending the refresh token
    assert sandbox.oauth.is_live_refresh_token(oauth_conn)
    out = capfd.readouterr()
    logs = out.out + out.err
    assert "Close connection 'close_oauth': not refreshing" in logs
    assert "EnvironmentVariablesBackend" in logs
    assert oauth_conn not in logs
    assert sandbox.oauth_client_secret not in logs
