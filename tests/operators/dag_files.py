"""Load a DAG file from a dags folder for ``dag.test()`` (it syncs the dags-folder bundle)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest


def load_dag_module(folder: Path, name: str, source: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Write ``source`` as ``folder/name.py``, point the dags folder at ``folder``, import it.

    :param folder: the dags folder.
    :param name: the module name.
    :param source: the DAG file's text.
    :param monkeypatch: the test's monkeypatch (restores the settings afterwards).
    """
    import airflow.settings

    dag_path = folder / f"{name}.py"
    dag_path.write_text(source)
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(folder))
    monkeypatch.setattr(airflow.settings, "DAGS_FOLDER", str(folder))
    spec = importlib.util.spec_from_file_location(name, dag_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
