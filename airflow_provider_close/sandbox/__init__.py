"""A local, stateful emulation of the Close REST API (like moto for AWS).

``from airflow_provider_close.sandbox import CloseSandbox``; run it standalone with
``python -m airflow_provider_close.sandbox``. It never imports the client, the hook or Airflow.
While it runs, ``GET /_sandbox/`` lists its control routes (reset, faults, rate limits,
latency, page limits, the request log, the clock; see ``control_index.py``), as does the CLI's
``--help``.
"""

from __future__ import annotations

from airflow_provider_close.sandbox.app import RequestRecord
from airflow_provider_close.sandbox.clock import SandboxClock
from airflow_provider_close.sandbox.faults import Fault
from airflow_provider_close.sandbox.page_hooks import Mutation, PageHook
from airflow_provider_close.sandbox.server import CloseSandbox

__all__ = ["CloseSandbox", "Fault", "Mutation", "PageHook", "RequestRecord", "SandboxClock"]
