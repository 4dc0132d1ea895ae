"""Fixtures for running the example DAGs with ``dag.test()`` against the sandbox.

``dag.test()`` needs a migrated metadata DB and the DAG file inside the dags folder (it syncs
the dags-folder bundle first), so the dags folder is pointed at ``example_dags/``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.client import CloseClient
from airflow_provider_close.sandbox import CloseSandbox

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"


@pytest.fixture(scope="session")
def example_airflow_db() -> Path:
    """Run ``airflow db migrate`` once, in the session's AIRFLOW_HOME (set by tests/conftest.py)."""
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run([str(airflow), "db", "migrate"], check=True, capture_output=True, timeout=300)
    return Path(os.environ["AIRFLOW_HOME"])


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty SQLite warehouse behind the ``warehouse_sqlite`` connection; file dirs in tmp."""
    path = tmp_path / "warehouse.db"
    sqlite3.connect(path).close()
    conn = {"conn_type": "sqlite", "host": str(path)}
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE_SQLITE", json.dumps(conn))
    for name in ("results", "extract", "cleanup"):
        monkeypatch.setenv(f"AIRFLOW_VAR_CLOSE_{name.upper()}_DIR", str(tmp_path / name))
    return path


@pytest.fixture
def run_example(
    example_airflow_db: Path,
    close_conn: Callable[..., str],
    warehouse: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., Any]:
    """Return ``run(dag_id, **dag_test_kwargs) -> DagRun``: import the example file, dag.test it."""
    import airflow.settings

    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(EXAMPLE_DAGS))
    monkeypatch.setattr(airflow.settings, "DAGS_FOLDER", str(EXAMPLE_DAGS))

    def run(dag_id: str, **kwargs: Any) -> Any:
        spec = importlib.util.spec_from_file_location(dag_id, EXAMPLE_DAGS / f"{dag_id}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.dag.test(**kwargs)

    return run


@pytest.fixture
def api(sandbox: CloseSandbox) -> Iterator[CloseClient]:
    """The real client on the sandbox, for arranging data over HTTP."""
    with CloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        yield client
