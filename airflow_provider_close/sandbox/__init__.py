"""A local, stateful emulation of the Close REST API (like moto for AWS).

``from airflow_provider_close.sandbox import CloseSandbox``; run it standalone with
``python -m airflow_provider_close.sandbox``. It never imports the client, the hook or Airflow.
"""

from __future__ import annotations

from airflow_provider_close.sandbox.app import RequestRecord
from airflow_provider_close.sandbox.clock import SandboxClock
from airflow_provider_close.sandbox.faults import Fault
from airflow_provider_close.sandbox.page_hooks import Mutation, PageHook
from airflow_provider_close.sandbox.server import CloseSandbox

__all__ = ["CloseSandbox", "Fault", "Mutation", "PageHook", "RequestRecord", "SandboxClock"]
