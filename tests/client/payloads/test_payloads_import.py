"""The payload layer is pure: importing every payload module never imports Airflow."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

from airflow_provider_close.client import payloads


def test_payload_modules_import_without_airflow():
    modules = [f"{payloads.__name__}.{m.name}" for m in pkgutil.iter_modules(payloads.__path__)]
    assert len(modules) >= 10
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
