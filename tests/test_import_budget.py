"""A DAG file's imports stay cheap: what a DAG parse must not load (issue 17, import cost).

Not a timed test (benchmarks/bench_import.py and bench_dag_parse.py measure the time): this
pins *which* modules importing the write operators, the bulk operators and the sensor loads,
in a fresh interpreter, so that an eager import of the client, a payload builder, the bulk
engine or a trigger is caught where it is added.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_import import WRITE_BULK_SENSOR

#: Imported inside ``execute`` (or a hook method), never by a DAG parse.
DEFERRED = (
    "airflow_provider_close.client.sync",
    "airflow_provider_close.client.asynchronous",
    "airflow_provider_close.client.oauth",
    "airflow_provider_close.client.payloads.lead",
    "airflow_provider_close.client.payloads.email",
    "airflow_provider_close.hooks.settings",
    "airflow_provider_close.lookups.custom_fields",
    "airflow_provider_close.idempotency.leads",
    "airflow_provider_close.bulk.engine",
    "airflow_provider_close.bulk.activities_engine",
    "airflow_provider_close.bulk.mapping",
    "airflow_provider_close.extraction.engine",
    "airflow_provider_close.triggers.new_activity",
    "airflow_provider_close.watch.activity_count",
    "airflow.triggers.base",
)


def _loaded_after(imports: str) -> set[str]:
    code = (
        "import json, sys; from airflow.sdk import BaseOperator; "
        f"import {imports}; print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_a_dag_of_write_bulk_and_sensor_operators_loads_none_of_the_deferred_modules() -> None:
    sdk = _loaded_after("airflow.sdk")  # Airflow 3.1's SDK itself loads airflow.triggers.base
    loaded = _loaded_after(WRITE_BULK_SENSOR)
    assert "airflow_provider_close.operators.bulk" in loaded  # the import really happened
    assert sorted(set(DEFERRED) & (loaded - sdk)) == []


def test_every_deferred_module_exists_and_loads_when_a_task_needs_it() -> None:
    assert sorted(set(DEFERRED) - _loaded_after(", ".join(DEFERRED))) == []
