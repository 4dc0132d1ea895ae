"""Fixtures for the operator tests: a minimal task context, and an Airflow DB for dag.test()."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.operators.fakes import FakeTaskInstance


@pytest.fixture
def ti() -> FakeTaskInstance:
    """A first try's task instance."""
    return FakeTaskInstance()


@pytest.fixture
def context(ti: FakeTaskInstance) -> dict[str, Any]:
    """A minimal task context: ``op.execute(context)`` needs only ``ti``."""
    return {"ti": ti}


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Run ``airflow db migrate`` once, in the session's AIRFLOW_HOME (set by tests/conftest.py)."""
    home = Path(os.environ["AIRFLOW_HOME"])
    airflow = Path(sys.executable).with_name("airflow")
    subprocess.run(
        [str(airflow), "db", "migrate"],
        check=True,
        env={**os.environ},
        capture_output=True,
        timeout=300,
    )
    return home
