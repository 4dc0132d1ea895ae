"""Bulk upsert matrix (issue 14): fraction of the limit, 429 share and peak memory.

Every case starts a fresh sandbox in **its own process** (``python -m
airflow_provider_close.sandbox``: one organisation, keys ``K1..K3``, ``lead:write`` limited per
key and 3x per organisation, latency added to every answer), so the sandbox's CPU does not
share the engine's interpreter. The upserts run in one or more **worker processes**, each a
real ``upsert_leads`` over an ``AsyncCloseClient`` per key, reading a JSONL file line by line
and appending results to a result file (the operator's path). Rows are new leads matched on
an "External ID" custom field.

* **fraction of limit**: lead creates per second over the slowest worker's wall time (reading,
  lookups and writes included), divided by the budget the case allows (the key's limit; for
  several keys, their combined limit, which is the organisation's).
* **429 share**: 429 answers over all requests the workers' clients made.
* **peak RSS MB**: the worker's peak resident memory (``ru_maxrss``); the memory rows are dry
  runs (lookups and plans, no writes) over 10k, 100k and 1M rows.

    .venv/bin/python benchmarks/run.py upsert_matrix
    BENCH_MATRIX=quick .venv/bin/python benchmarks/bench_upsert_matrix.py   # a subset
    BENCH_PROFILE=/tmp/w-{pid}.prof .venv/bin/python benchmarks/bench_upsert_matrix.py \
        --case '{"case": "one task", "rows": 5000, "limit": 200, "latency_ms": 50}'  # cProfile

Workers and cases share nothing but the sandbox's HTTP port. Not run in CI.

``BENCH_TRACE=/path.jsonl`` (opt-in) makes each worker append a timeline to that file: one
line per HTTP attempt (``send``/``answer`` seconds since the worker started, method, path,
status, the ``RateLimit`` header), one per input batch read (``read``), and ``end`` when the
result file is closed. ``benchmarks/trace_summary.py`` turns it into start-up, gaps and tail.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import matrix_children  # noqa: E402  (benchmarks/ is on the path just above)

__all__ = ["run"]

KEYS = ["bench-key-1-" + "x" * 20, "bench-key-2-" + "x" * 20, "bench-key-3-" + "x" * 20]
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "64"))

#: The matrix of issue 14. ``workers``: separate processes sharing the key(s) (sharded input);
#: ``keys``: API keys of one organisation used by one upsert; ``memory``: a dry run against an
#: in-process stub that finds no lead (the sandbox's search would dominate the time; memory is
#: the engine's, and the sandbox lives in another process anyway).
CASES: list[dict[str, Any]] = [
    {"case": "one task", "rows": 2000, "limit": 20, "latency_ms": 50},
    {"case": "one task", "rows": 2000, "limit": 20, "latency_ms": 200},
    {"case": "one task", "rows": 2000, "limit": 100, "latency_ms": 50},
    {"case": "one task", "rows": 2000, "limit": 100, "latency_ms": 200},
    {"case": "one task", "rows": 10_000, "limit": 200, "latency_ms": 50},
    {"case": "2 tasks, 1 key", "rows": 1200, "limit": 20, "latency_ms": 50, "workers": 2},
    {"case": "4 tasks, 1 key", "rows": 1200, "limit": 20, "latency_ms": 50, "workers": 4},
    {"case": "1 task, 3 keys", "rows": 1800, "limit": 10, "latency_ms": 50, "keys": 3},
    *(
        {"case": "memory (dry run, stub)", "rows": n, "limit": 0, "latency_ms": 0, "memory": True}
        for n in (10_000, 100_000, 1_000_000)
    ),
    *(  # contacts and opportunities: benchmarks/matrix_children.py
        {
            "case": f"memory: {plural} (dry run, stub)",
            "rows": n,
            "limit": 0,
            "latency_ms": 0,
            "memory": True,
            "kind": kind,
        }
        for kind, plural in (("contact", "contacts"), ("opportunity", "opportunities"))
        for n in (10_000, 100_000, 1_000_000)
    ),
]
#: Only with ``BENCH_MATRIX=full``: at the sandbox's speed on a busy machine this takes long.
FULL_ONLY = [{"case": "one task", "rows": 100_000, "limit": 200, "latency_ms": 50}]
QUICK = [0, 3, 5, 7, 8]


def _start_sandbox(limit: int, latency_ms: int) -> tuple[subprocess.Popen[str], str]:
    """Start a sandbox process; return it and its API URL."""
    extra = [arg for key in KEYS[1:] for arg in ("--extra-api-key", key)]
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "airflow_provider_close.sandbox", "--port", "0"),
            *("--api-key", KEYS[0], *extra, "--rate-limit", f"lead:write={limit}/1"),
            *("--rate-limit", "data:read=2000/1", "--latency-ms", str(latency_ms)),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None
    for line in process.stdout:
        found = re.search(r"\(API: (\S+)\)", line)
        if found:
            return process, found.group(1)
    raise RuntimeError("the sandbox did not start")


def _custom_field(api_url: str) -> str:
    import httpx

    response = httpx.post(
        f"{api_url}custom_field/lead/",
        json={"name": "External ID", "type": "text"},
        auth=(KEYS[0], ""),
    )
    response.raise_for_status()
    return str(response.json()["id"])


async def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one upsert (one process of a case); return its counts, time and peak memory."""
    from airflow_provider_close.bulk.engine import UpsertOptions, upsert_leads
    from airflow_provider_close.bulk.mapping import parse_mapping
    from airflow_provider_close.bulk.readers import iter_file_rows
    from airflow_provider_close.bulk.results import ResultFile
    from airflow_provider_close.client.asynchronous import AsyncCloseClient
    from airflow_provider_close.client.retry import RetryPolicy
    from airflow_provider_close.lookups.leads import LeadMatchKey

    if spec.get("kind"):
        return await matrix_children.child_worker(spec)
    field_id = spec["field_id"]
    options = UpsertOptions(
        max_concurrency=CONCURRENCY,
        progress_interval=600.0,
        dry_run=spec["dry_run"],
        shard=tuple(spec["shard"]) if spec["shard"] else None,
    )
    retry = RetryPolicy(max_total_wait=120.0)
    clients: list[Any] = [
        AsyncCloseClient(api_key=key, base_url=spec["api_url"], retry=retry) for key in spec["keys"]
    ]
    if spec["memory"]:
        clients = [_StubClient()]
    started = time.perf_counter()
    rows: Any = iter_file_rows(spec["input"])
    trace = _Trace.open(started, spec.get("shard"))
    if trace is not None:
        for client in clients:
            trace.wrap(client)
        rows = trace.rows(rows)
    with ResultFile(spec["result_path"]) as results:
        run = await upsert_leads(
            clients[0],
            rows,
            parse_mapping({"name": "company", "custom": {"External ID": "ext"}}),
            LeadMatchKey("custom_field", field_id),
            {"External ID": f"custom.{field_id}"},
            options=options,
            sink=results.add,
            more_clients=clients[1:],
        )
    seconds = time.perf_counter() - started
    if trace is not None:
        trace.write({"event": "end"})
        trace.close()
    for client in clients:
        await client.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "seconds": seconds,
        "counts": dict(results.tally.counts),
        "requests": sum(c.stats.requests for c in clients),
        "rate_limited": sum(c.stats.rate_limited for c in clients),
        "peak": run.peak_concurrency,
        "rss_mb": usage.ru_maxrss / 1024,
    }


class _Trace:
    """The opt-in timeline of one worker (``BENCH_TRACE``): HTTP attempts and batch reads."""

    def __init__(self, path: str, started: float, worker: str) -> None:
        self._handle = open(path, "a")  # noqa: SIM115  (closed by :meth:`close`)
        self._started = started
        self._worker = worker

    @classmethod
    def open(cls, started: float, shard: list[int] | None) -> _Trace | None:
        path = os.environ.get("BENCH_TRACE")
        return cls(path, started, str(shard[0] if shard else 0)) if path else None

    def write(self, record: dict[str, Any]) -> None:
        record.setdefault("t", round(time.perf_counter() - self._started, 4))
        self._handle.write(json.dumps({"worker": self._worker, **record}) + "\n")

    def close(self) -> None:
        self._handle.close()

    def wrap(self, client: Any) -> None:
        """Record every attempt the client's httpx client sends."""
        http = client._http  # benchmark instrumentation only
        send = http.send

        async def traced(request: Any, **kwargs: Any) -> Any:
            at = time.perf_counter() - self._started
            response = await send(request, **kwargs)
            self.write(
                {
                    "event": "http",
                    "send": round(at, 4),
                    "answer": round(time.perf_counter() - self._started, 4),
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ratelimit": response.headers.get("ratelimit"),
                }
            )
            return response

        http.send = traced

    def rows(self, rows: Any, every: int = 1000) -> Any:
        """Yield ``rows``, noting when each ``every``-th is read."""
        for index, row in enumerate(rows):
            if index % every == 0:
                self.write({"event": "read", "row": index})
            yield row


class _StubStats:
    requests = 0
    rate_limited = 0


class _StubClient:
    """Finds no lead, instantly: the engine's memory without the sandbox's time."""

    stats = _StubStats()
    last_rate_limit = None

    def rate_limit_for(self, _method: str, _path: str) -> None:
        return None

    async def iter_search(self, _body: Any, **_: Any) -> Any:
        self.stats.requests += 1
        for item in ():
            yield item

    async def close(self) -> None:
        pass


def _capacity() -> float:
    """Return the lead creates per second the sandbox serves to a plain client (no limit)."""
    import httpx

    sandbox, api_url = _start_sandbox(100_000, 0)

    async def creates() -> float:
        async with httpx.AsyncClient(auth=(KEYS[0], ""), base_url=api_url) as client:
            gate = asyncio.Semaphore(32)

            async def one(i: int) -> None:
                async with gate:
                    (await client.post("lead/", json={"name": f"Cap {i}"})).raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(600)))
            return 600 / (time.perf_counter() - started)

    try:
        return asyncio.run(creates())
    finally:
        sandbox.terminate()
        sandbox.wait()


def _input_file(folder: Path, rows: int) -> Path:
    path = folder / f"rows-{rows}.jsonl"
    if not path.exists():
        with path.open("w") as handle:
            for i in range(rows):
                handle.write(json.dumps({"company": f"Co {i}", "ext": f"E-{i}"}) + "\n")
    return path


def _case(case: dict[str, Any], folder: Path) -> dict[str, object]:
    workers, keys = case.get("workers", 1), case.get("keys", 1)
    memory = bool(case.get("memory"))
    dry_run = memory
    sandbox, api_url = _start_sandbox(max(1, case["limit"]), case["latency_ms"])
    try:
        field_id = "cf_" + "S" * 43 if memory else _custom_field(api_url)
        source = (matrix_children.child_input_file if case.get("kind") else _input_file)(
            folder, case["rows"]
        )
        specs = [
            {
                "api_url": api_url,
                "field_id": field_id,
                "input": str(source),
                "result_path": str(folder / f"results-{i}.jsonl"),
                "keys": KEYS[:keys],
                "dry_run": dry_run,
                "memory": memory,
                "shard": [i, workers] if workers > 1 else None,
                "kind": case.get("kind"),
            }
            for i in range(workers)
        ]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", json.dumps(spec)],
                stdout=subprocess.PIPE,
                text=True,
                env=env,
            )
            for spec in specs
        ]
        outputs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in processes]
        wall = time.perf_counter() - started
    finally:
        sandbox.terminate()
        sandbox.wait()
    counts: dict[str, int] = {}
    for out in outputs:
        for action, n in out["counts"].items():
            counts[action] = counts.get(action, 0) + n
    requests = sum(o["requests"] for o in outputs)
    refused = sum(o["rate_limited"] for o in outputs)
    seconds = max(o["seconds"] for o in outputs)
    done = counts.get("would_create" if dry_run else "created", 0)
    budget = case["limit"] * keys
    return {
        "case": case["case"],
        "rows": case["rows"],
        "limit/s": budget,
        "latency ms": case["latency_ms"],
        "not written": case["rows"] - done,
        "seconds": round(seconds, 1),
        "fraction of limit": "-" if dry_run else round(done / seconds / budget, 3),
        "CPU ms/row": round(1000 * sum(o["cpu"] for o in outputs) / case["rows"], 2),
        "429 share": f"{100.0 * refused / max(1, requests):.2f}%",
        "peak in flight": max(o["peak"] for o in outputs),
        "peak RSS MB": round(max(o["rss_mb"] for o in outputs), 1),
        "wall s": round(wall, 1),
    }


def run() -> list[dict[str, object]]:
    """Return one table row per case, after the sandbox's own capacity (the baseline).

    ``BENCH_MATRIX=quick``: a subset; ``BENCH_MATRIX=full``: also 100,000 rows written.
    """
    mode = os.environ.get("BENCH_MATRIX", "")
    chosen = [CASES[i] for i in QUICK] if mode == "quick" else CASES
    if mode == "full":
        chosen = [*chosen, *FULL_ONLY]
    capacity = _capacity()
    table: list[dict[str, object]] = [
        {"case": f"baseline: sandbox serves {capacity:.0f} lead creates/s (plain httpx, no limit)"}
    ]
    print(json.dumps(table[-1]), file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-matrix-") as folder:
        for case in chosen:
            table.append(_case(case, Path(folder)))
            print(json.dumps(table[-1]), file=sys.stderr, flush=True)  # a case at a time
    return table


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        profile_path = os.environ.get("BENCH_PROFILE")  # opt-in: a cProfile of the worker
        if profile_path:
            import cProfile

            with cProfile.Profile() as profiler:
                outcome = asyncio.run(_worker(json.loads(sys.argv[2])))
            profiler.dump_stats(profile_path.replace("{pid}", str(os.getpid())))
            print(json.dumps(outcome))
        else:
            print(json.dumps(asyncio.run(_worker(json.loads(sys.argv[2])))))
    elif len(sys.argv) > 2 and sys.argv[1] == "--case":
        with tempfile.TemporaryDirectory(prefix="bench-matrix-") as scratch:
            print(json.dumps(_case(json.loads(sys.argv[2]), Path(scratch))))
    else:
        from table import format_table

        print(format_table(run()))
