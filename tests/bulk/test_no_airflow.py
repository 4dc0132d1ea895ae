"""The engine imports without Airflow (only ``airflow_sources`` may import it)."""

from __future__ import annotations

import subprocess
import sys

ENGINE_MODULES = [
    "airflow_provider_close.bulk.engine",
    "airflow_provider_close.bulk.activities_engine",
    "airflow_provider_close.bulk.readers",
    "airflow_provider_close.bulk.resolve",
    "airflow_provider_close.lookups.leads",
    "airflow_provider_close.lookups.activities",
]


def test_engine_modules_do_not_import_airflow() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in ENGINE_MODULES)
        + "print(sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
