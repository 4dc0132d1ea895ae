"""Import cost of every public provider module, over ``from airflow.sdk import BaseOperator``.

DAG files are parsed constantly, so what a provider module adds on top of the Airflow SDK that
every DAG already imports is what users pay. Each measurement is the median of several fresh
interpreters: baseline = ``from airflow.sdk import BaseOperator``; module = baseline + import.

    python benchmarks/bench_import.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

MODULES = [
    "airflow_provider_close",
    "airflow_provider_close.provider_info",
    "airflow_provider_close.client",
    "airflow_provider_close.hooks.close",
    "airflow_provider_close.links",
    "airflow_provider_close.operators.leads",
    "airflow_provider_close.operators.activities",
    "airflow_provider_close.operators.reads",
    "airflow_provider_close.operators.emails",
    "airflow_provider_close.operators.bulk",
    "airflow_provider_close.operators.extract",
    "airflow_provider_close.sensors.new_activity",
    "airflow_provider_close.triggers.new_activity",
    "airflow_provider_close.sandbox",
]
BASELINE = "from airflow.sdk import BaseOperator"


def _seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


def _median(code: str, runs: int) -> float:
    return statistics.median(_seconds(code) for _ in range(runs))


def run(runs: int = 7) -> list[dict[str, object]]:
    """Return one row per module: median wall time of a fresh interpreter, and the added cost."""
    empty = _median("pass", runs)
    base = _median(BASELINE, runs)
    rows: list[dict[str, object]] = [
        {"import": "python -c pass", "median ms": empty * 1000, "added over baseline ms": ""},
        {
            "import": f"baseline: {BASELINE}",
            "median ms": base * 1000,
            "added over baseline ms": 0.0,
        },
    ]
    for module in MODULES:
        total = _median(f"{BASELINE}; import {module}", runs)
        rows.append(
            {
                "import": module,
                "median ms": total * 1000,
                "added over baseline ms": (total - base) * 1000,
            }
        )
    return rows


if __name__ == "__main__":
    from table import format_table  # type: ignore[import-not-found]

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    print(format_table(run(parser.parse_args().runs)))
