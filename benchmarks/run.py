"""Run the benchmarks and print one table each.

    .venv/bin/python benchmarks/run.py                 # all
    .venv/bin/python benchmarks/run.py import client   # some

Each benchmark compares against a baseline measured in the same run; record results, with the
command that produced them, in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from table import format_table

BENCHMARKS = {
    "import": "bench_import",
    "client": "bench_client_overhead",
    "extract": "bench_extract",
    "changes": "bench_changes",
    "upsert": "bench_upsert",
    "upsert_scale": "bench_upsert_scale",
    "upsert_matrix": "bench_upsert_matrix",
    "upsert_cpu": "bench_upsert_cpu",
    "sensor": "bench_sensor",
    "dag_parse": "bench_dag_parse",
    "payloads": "bench_payloads",
    "sandbox_search": "bench_sandbox_search",
}


def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {sorted(BENCHMARKS)}")
        return 2
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"python {platform.python_version()} on {platform.machine()}, {stamp}")
    for name in names or list(BENCHMARKS):
        module = importlib.import_module(BENCHMARKS[name])
        started = time.perf_counter()
        rows = module.run()
        print(
            f"\n## {name} ({time.perf_counter() - started:.0f} s)\n\n{format_table(rows)}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
