"""Fixtures for the operator tests: a minimal task context, and an Airflow DB for dag.test()."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.operators._base import CloseCreateOperator
from airflow_provider_close.operators.bulk import _CloseUpsertOperator
from airflow_provider_close.sandbox import CloseSandbox
from tests.operators.fakes import FakeTaskInstance
from tests.settle_clock import SandboxSettleClock


@pytest.fixture(autouse=True)
def settle_clock(
    _session_sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch
) -> SandboxSettleClock:
    """The create and upsert operators wait out their settle window on the sandbox clock."""
    clock = SandboxSettleClock(_session_sandbox)
    monkeypatch.setattr(CloseCreateOperator, "settle_clock", clock)
    monkeypatch.setattr(_CloseUpsertOperator, "settle_clock", clock)  # every upsert
    return clock


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
