"""Bulk upsert at scale: fraction of the limit, 429 share and engine CPU, before vs after.

The same workload through the engine of this checkout (**after**: the worker pool,
``bulk/pool.py``) and through the engine at ``BEFORE_COMMIT`` (**before**: one coroutine per
row waiting on one shared condition, woken all at once on every release), each in a fresh
subprocess against a fresh sandbox: ``rows`` new leads matched on an "External ID" field,
``lead:write`` limited to ``limit`` per second per key, ``latency_ms`` added to every answer.

Cases: 2,000 rows at 100 writes/s with 200 ms latency (in flight must reach rate x latency =
20 rows: the old engine grew by one row per write while ``remaining`` stayed above half the
limit); 10,000 rows at 200 writes/s with 50 ms latency (per-row cost: the old condition's
wake-ups grow with rows squared). ``engine CPU s`` is the CPU time of the thread running the
engine (the sandbox serves from its own threads). Fraction of the limit counts successful
lead creates over the run's wall time, lookups included.

    .venv/bin/python benchmarks/bench_upsert_scale.py        # the table
    .venv/bin/python benchmarks/run.py upsert_scale

``BENCH_BEFORE_ROOT`` may name a checkout to use as "before"; otherwise ``BEFORE_COMMIT`` is
exported with ``git archive`` into a temporary directory.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENGINE_ROOT = Path(os.environ.get("BENCH_ENGINE_ROOT", str(ROOT)))
sys.path.insert(0, str(ENGINE_ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))

__all__ = ["run"]

#: The engine before issue 14's worker pool.
BEFORE_COMMIT = "857b892"
CASES = [
    {"rows": 2000, "limit": 100, "latency_ms": 200},
    {"rows": 10_000, "limit": 200, "latency_ms": 50},
]
CONCURRENCY = 64


async def _upsert(rows: int, limit: int, latency_ms: int) -> dict[str, Any]:
    import httpx

    from airflow_provider_close.bulk.engine import UpsertOptions, upsert_leads
    from airflow_provider_close.bulk.mapping import parse_mapping
    from airflow_provider_close.client.asynchronous import AsyncCloseClient
    from airflow_provider_close.lookups.leads import LeadMatchKey
    from airflow_provider_close.sandbox import CloseSandbox

    with CloseSandbox() as sandbox:
        response = httpx.post(
            f"{sandbox.api_url}custom_field/lead/",
            json={"name": "External ID", "type": "text"},
            auth=(sandbox.api_key, ""),
        )
        field_id = str(response.json()["id"])
        sandbox.set_rate_limit("lead:write", limit, 1.0)
        sandbox.set_latency(latency_ms)
        data = [{"company": f"Co {i}", "ext": f"E-{i}"} for i in range(rows)]
        options = UpsertOptions(max_concurrency=CONCURRENCY, progress_interval=60.0)
        cpu, started = time.thread_time(), time.perf_counter()
        async with AsyncCloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
            run = await upsert_leads(
                client,
                data,
                parse_mapping({"name": "company", "custom": {"External ID": "ext"}}),
                LeadMatchKey("custom_field", field_id),
                {"External ID": f"custom.{field_id}"},
                options=options,
            )
        seconds, cpu = time.perf_counter() - started, time.thread_time() - cpu
        requests = sandbox.requests
        refused = sum(1 for r in requests if r.status == 429)
        created = sum(1 for r in run.results if r["action"] == "created")
        rate = created / seconds
        return {
            "rows": rows,
            "limit (lead:write/s)": limit,
            "latency ms": latency_ms,
            "failed rows": rows - created,
            "seconds": round(seconds, 1),
            "lead writes/s": round(rate, 1),
            "fraction of limit": round(rate / limit, 3),
            "429 share": f"{100.0 * refused / max(1, len(requests)):.2f}%",
            "peak in flight": run.peak_concurrency,
            "engine CPU s": round(cpu, 2),
            "CPU ms/row": round(1000 * cpu / rows, 3),
        }


def _before_root() -> Path:
    given = os.environ.get("BENCH_BEFORE_ROOT")
    if given:
        return Path(given)
    target = Path(tempfile.mkdtemp(prefix="bench-before-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", BEFORE_COMMIT, "airflow_provider_close"],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _case_in_subprocess(engine_root: Path, case: dict[str, int]) -> dict[str, Any]:
    env = {**os.environ, "BENCH_ENGINE_ROOT": str(engine_root), "PYTHONPATH": str(engine_root)}
    done = subprocess.run(
        [sys.executable, __file__, "--case", json.dumps(case)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run() -> list[dict[str, object]]:
    """Return one table row per case and engine (before first, then after)."""
    before = _before_root()
    table: list[dict[str, object]] = []
    for case in CASES:
        for label, root in (("before (per-row coroutines)", before), ("after (worker pool)", ROOT)):
            table.append({"engine": label, **_case_in_subprocess(root, case)})
            print(json.dumps(table[-1]), file=sys.stderr, flush=True)  # a case at a time
    return table


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--case":
        print(json.dumps(asyncio.run(_upsert(**json.loads(sys.argv[2])))))
    else:
        from table import format_table

        print(format_table(run()))
