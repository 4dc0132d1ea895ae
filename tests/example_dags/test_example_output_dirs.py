"""The example DAGs' files go under AIRFLOW_HOME (or the Variable's folder), never a shared
/tmp folder: two installations (users) get different folders, two runs different files."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pendulum
import pytest

from airflow_provider_close.bulk.airflow_sources import default_result_path

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"

#: (DAG, task, templated attribute, Variable, sub-folder)
OUTPUTS = [
    ("example_close_warehouse_to_close", "upsert_leads", "result_path", "close_results_dir"),
    ("example_close_extract_activities", "extract_activities", "path", "close_extract_dir"),
    ("example_close_cleanup_test_calls", "list_calls", "output_path", "close_cleanup_dir"),
]
SUBFOLDER = {"close_results_dir": "results", "close_extract_dir": "extract"}
SUBFOLDER["close_cleanup_dir"] = "cleanup"


def _load(dag_id: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_{dag_id}", EXAMPLE_DAGS / f"{dag_id}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rendered(
    dag_id: str, task_id: str, attribute: str, run_id: str, variables: dict[str, str]
) -> str:
    """Parse the DAG file (as a worker would) and render the task's templated path."""
    dag = _load(dag_id).dag
    template = getattr(dag.get_task(task_id), attribute)
    context: dict[str, Any] = {
        "var": {
            "value": SimpleNamespace(get=lambda key, default=None: variables.get(key, default))
        },
        "dag": dag,
        "run_id": run_id,
        "data_interval_start": pendulum.datetime(2026, 11, 20, tz="UTC"),
    }
    return str(dag.get_template_env().from_string(template).render(**context))


@pytest.mark.parametrize("output", OUTPUTS, ids=[dag_id for dag_id, *_ in OUTPUTS])
def test_two_installations_write_to_their_own_airflow_home(
    output: tuple[str, str, str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dag_id, task_id, attribute, variable = output
    paths = []
    for user in ("alice", "bob"):
        monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / user / "airflow"))
        paths.append(_rendered(dag_id, task_id, attribute, "manual__1", {}))

    alice, bob = paths
    assert alice.startswith(str(tmp_path / "alice" / "airflow" / "close" / SUBFOLDER[variable]))
    assert bob.startswith(str(tmp_path / "bob" / "airflow" / "close" / SUBFOLDER[variable]))
    assert not alice.startswith("/tmp/close-")


@pytest.mark.parametrize(("dag_id", "task_id", "attribute", "variable"), OUTPUTS)
def test_the_variable_still_overrides_the_folder(
    dag_id: str, task_id: str, attribute: str, variable: str
) -> None:
    path = _rendered(dag_id, task_id, attribute, "manual__1", {variable: "s3://lake/close"})
    assert path.startswith("s3://lake/close/")


@pytest.mark.parametrize(
    ("dag_id", "task_id", "attribute"),
    [(dag_id, task_id, attribute) for dag_id, task_id, attribute, _ in OUTPUTS[::2]],
)
def test_two_runs_write_different_files(dag_id: str, task_id: str, attribute: str) -> None:
    """The per-run outputs (upsert results, listings); the extract's file is per day, by design:
    re-running a day replaces it with an identical file."""
    first = _rendered(dag_id, task_id, attribute, "manual__1", {})
    second = _rendered(dag_id, task_id, attribute, "manual__2", {})
    assert first != second


def test_the_bulk_operators_default_result_file_is_under_airflow_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "home"))
    path = default_result_path("scores", "push", "manual__2026:01")
    assert path == str(
        tmp_path / "home" / "close" / "bulk" / "scores" / "push" / "manual__2026_01.jsonl"
    )
