"""Shared fixtures: one Close sandbox per session (reset per test) and a connection to it.

Environment set-up must happen before anything imports Airflow.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "example_dags"))
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")

import pytest  # noqa: E402

from airflow_provider_close.sandbox import CloseSandbox  # noqa: E402

SENTINEL_KEY = "sk_SENTINEL_do_not_leak_9f3b2a7c"
#: Seconds (sandbox clock) before lead/contact writes reach search, in every test (§9b):
#: a test that searches what it just wrote advances ``sandbox.clock`` by ``search_lag``.
SEARCH_LAG = 30.0


@pytest.fixture(scope="session")
def _session_sandbox() -> Iterator[CloseSandbox]:
    with CloseSandbox(api_key=SENTINEL_KEY, search_lag=SEARCH_LAG) as sb:
        yield sb


@pytest.fixture
def sandbox(_session_sandbox: CloseSandbox) -> Iterator[CloseSandbox]:
    """A running sandbox with empty state, default limits, no faults and the search lag on."""
    _session_sandbox.reset()
    yield _session_sandbox
    _session_sandbox.reset()


@pytest.fixture
def seeded_sandbox(sandbox: CloseSandbox) -> CloseSandbox:
    """The sandbox with the demo organisation loaded."""
    sandbox.reset(seed="demo")
    return sandbox


@pytest.fixture
def close_conn(sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Point an Airflow connection (default ``close_default``) at the sandbox; returns its id."""
    import json

    def make(
        conn_id: str = "close_default", *, password: str | None = None, **extra: object
    ) -> str:
        conn = {
            "conn_type": "close",
            "host": sandbox.url,
            "password": sandbox.api_key if password is None else password,
            "extra": extra,
        }
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
        return conn_id

    make()
    return make
