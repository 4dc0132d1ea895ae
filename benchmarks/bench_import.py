"""Import cost of every public provider module, over ``from airflow.sdk import BaseOperator``.

DAG files are parsed constantly, so what a provider module adds on top of the Airflow SDK that
every DAG already imports is what users pay. Each sample is one fresh interpreter running

    python -X importtime -c "from airflow.sdk import BaseOperator; import <module>"

and reading, from Python's own import timer, the cumulative time of the SDK import (the
baseline) and of everything imported after it (the module's added cost), in the same process.
Wall-clock differences between separate interpreters swing by hundreds of milliseconds on a
shared 2-core machine; the in-process split does not. The package is byte-compiled first, as
``pip install`` does (Airflow's own modules are). The table shows medians over ``runs``.

The last row imports what a DAG using the write operators, the bulk operators and the sensor
imports; ``bench_dag_parse.py`` parses such a DAG file whole.

    python benchmarks/bench_import.py [--runs 7]
"""

from __future__ import annotations

import argparse
import compileall
import statistics
import subprocess
import sys

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
#: What a DAG using the write operators, the bulk operators and the sensor imports (issue 17's
#: budget: at most 50 ms over ``airflow.sdk``).
WRITE_BULK_SENSOR = ", ".join(
    f"airflow_provider_close.{name}"
    for name in (
        "operators.leads",
        "operators.contacts",
        "operators.opportunities",
        "operators.tasks",
        "operators.activities",
        "operators.notes",
        "operators.emails",
        "operators.deletions",
        "operators.bulk",
        "sensors.new_activity",
    )
)
BASELINE = "from airflow.sdk import BaseOperator"
_BASELINE_MODULE = "airflow.sdk"


def split_import_times(stderr: str) -> tuple[float, float]:
    """Return ``(baseline_ms, added_ms)`` from ``-X importtime`` output.

    Top-level entries (no indentation) are whole imports with their cumulative time: the one
    named ``airflow.sdk`` is the baseline; every top-level entry after it is what the module
    import added.

    :param stderr: the interpreter's standard error.
    """
    baseline = added = 0.0
    seen_baseline = False
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, column = line.split("|")
        name = column.rstrip()[1:]  # one separator space, then two more per nesting level
        if name.startswith(" "):
            continue  # nested: already inside its parent's cumulative time
        micros = float(cumulative)
        if seen_baseline:
            added += micros
        elif name == _BASELINE_MODULE:
            baseline, seen_baseline = micros, True
    return baseline / 1000, added / 1000


def _sample(module: str) -> tuple[float, float]:
    code = f"{BASELINE}; import {module}"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], check=True, capture_output=True, text=True
    )
    return split_import_times(result.stderr)


def precompile_package() -> None:
    """Write the package's bytecode, as ``pip install`` does for a wheel (Airflow's is too)."""
    import airflow_provider_close

    package = airflow_provider_close.__file__.rsplit("/", 1)[0]
    compileall.compile_dir(package, quiet=1)


def run(runs: int = 7) -> list[dict[str, object]]:
    """Return one row per module: median baseline and median added import time (ms)."""
    precompile_package()
    rows: list[dict[str, object]] = []
    for module in [*MODULES, WRITE_BULK_SENSOR]:
        samples = [_sample(module) for _ in range(runs)]
        rows.append(
            {
                "module": module if module in MODULES else "DAG: write ops + bulk + sensor",
                "baseline ms (airflow.sdk)": statistics.median(s[0] for s in samples),
                "added ms": statistics.median(s[1] for s in samples),
                "added max ms": max(s[1] for s in samples),
            }
        )
    return rows


if __name__ == "__main__":
    from table import format_table  # type: ignore[import-not-found]

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    print(format_table(run(parser.parse_args().runs)))
