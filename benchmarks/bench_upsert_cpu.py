"""The bulk upsert's CPU per written row (issue 14), against a bare httpx loop doing the same POSTs.

CPU time (``getrusage`` of this process: user + system) per row, which a shared machine
disturbs far less than wall time. Every run creates new leads matched on an "External ID"
custom field, as ``bench_upsert_matrix.py`` does; each row is one ``POST /lead/`` (and a share
of one lookup search per 100 rows for the engine).

* **plain httpx loop** (the baseline): one ``httpx.AsyncClient``, ``CONCURRENCY`` coroutines
  each doing ``post("lead/", json=...)`` and ``.json()`` per row: the least any client can do
  for the same requests; once with httpx's default transport, once with ours
  (``client/transport.py``).
* **engine**: ``upsert_leads`` through ``AsyncCloseClient`` (mapping, plan, lookups, retry,
  throttle, rate-limit headers, idempotency bookkeeping, seen keys, one result line per row to
  a result file), ``max_concurrency=CONCURRENCY``.
* **engine, httpx's default transport**: the same, but with the pool httpx builds by
  default, which is what ``AsyncCloseClient`` used before it had ``client/transport.py``.

Over **HTTP**: a sandbox in a child process (not counted), no rate limit, 50 ms latency
added to every answer, so rows are in flight together as at 200 writes/s. **stub**: an
in-process ``httpx.MockTransport`` answering at once (the client's and the engine's own
cost, no sockets).

    .venv/bin/python benchmarks/run.py upsert_cpu
    BENCH_CPU_ROWS=1000 .venv/bin/python benchmarks/bench_upsert_cpu.py   # one size

Not run in CI.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import bench_upsert_matrix as matrix  # noqa: E402  (benchmarks/ is on the path just above)

__all__ = ["run"]

CONCURRENCY = 24
LATENCY_MS = 50
SIZES = [int(n) for n in os.environ.get("BENCH_CPU_ROWS", "1000,10000").split(",")]
_STUB_URL = "http://stub.invalid/api/v1/"
_STUB_FIELD = "cf_" + "S" * 43


def _cpu() -> tuple[float, float]:
    """Return this process's (user, system) CPU seconds so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _rows(tag: str, n: int) -> list[dict[str, str]]:
    return [{"company": f"Co {tag} {i}", "ext": f"E-{tag}-{i}"} for i in range(n)]


async def _plain(api_url: str, rows: list[dict[str, str]], transport: Any = None) -> int:
    """POST every row as a lead with a bare httpx client; return the leads created."""
    async with httpx.AsyncClient(
        auth=(matrix.KEYS[0], ""), base_url=api_url, transport=transport
    ) as client:
        todo = iter(rows)

        async def worker() -> int:
            created = 0
            for row in todo:
                response = await client.post("lead/", json={"name": row["company"]})
                response.raise_for_status()
                created += 1 if response.json().get("id") else 0
            return created

        return sum(await asyncio.gather(*(worker() for _ in range(CONCURRENCY))))


async def _engine(
    api_url: str,
    field_id: str,
    rows: list[dict[str, str]],
    folder: Path,
    transport: httpx.AsyncBaseTransport | None,
) -> int:
    """Upsert every row through the engine; return the rows created."""
    from airflow_provider_close.bulk.engine import UpsertOptions, upsert_leads
    from airflow_provider_close.bulk.mapping import parse_mapping
    from airflow_provider_close.bulk.results import ResultFile
    from airflow_provider_close.client.asynchronous import AsyncCloseClient
    from airflow_provider_close.lookups.leads import LeadMatchKey

    client = AsyncCloseClient(api_key=matrix.KEYS[0], base_url=api_url, transport=transport)
    options = UpsertOptions(max_concurrency=CONCURRENCY, progress_interval=600.0)
    with ResultFile(str(folder / f"results-{time.monotonic_ns()}.jsonl")) as results:
        await upsert_leads(
            client,
            iter(rows),
            parse_mapping({"name": "company", "custom": {"External ID": "ext"}}),
            LeadMatchKey("custom_field", field_id),
            {"External ID": f"custom.{field_id}"},
            options=options,
            sink=results.add,
        )
    await client.close()
    return results.tally.counts.get("created", 0)


def _stub() -> httpx.MockTransport:
    """Answer a lead create with the lead, a search with nothing, at once, as Close would."""
    created = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal created
        headers = {"RateLimit": "limit=100000, remaining=99999, reset=1"}
        if request.url.path.endswith("/data/search/"):
            return httpx.Response(200, json={"data": [], "cursor": None}, headers=headers)
        created += 1
        body = json.loads(request.content)
        return httpx.Response(200, json={"id": f"lead_{created}", **body}, headers=headers)

    return httpx.MockTransport(answer)


Work = Callable[[], Awaitable[int]]


def _measure(label: str, where: str, n: int, work: Work) -> dict[str, object]:
    """Run ``work`` in a fresh event loop; return its table row (CPU of this process only)."""
    before, started = _cpu(), time.perf_counter()
    profile = os.environ.get("BENCH_PROFILE")  # e.g. /tmp/cpu-{run}.prof: cProfile each run
    if profile:
        import cProfile

        with cProfile.Profile(time.process_time) as profiler:  # CPU, not waits
            done = asyncio.run(work())
        profiler.dump_stats(profile.replace("{run}", f"{label}-{where}-{n}".replace(" ", "_")))
    else:
        done = asyncio.run(work())
    (user, system), seconds = _cpu(), time.perf_counter() - started
    user, system = user - before[0], system - before[1]
    row: dict[str, object] = {
        "run": label,
        "over": where,
        "rows": n,
        "created": done,
        "CPU ms/row": round(1000 * (user + system) / n, 2),
        "of which system": round(1000 * system / n, 2),
        "seconds": round(seconds, 1),
    }
    print(json.dumps(row), file=sys.stderr, flush=True)
    return row


def _cases(api_url: str, field_id: str, folder: Path, n: int) -> list[tuple[str, str, Work]]:
    """Return the runs of one size: (label, over, work)."""
    from airflow_provider_close.client.transport import pooled_transport

    def rows(tag: str) -> list[dict[str, str]]:
        return _rows(f"{tag}{n}", n)

    default = httpx.AsyncHTTPTransport
    return [
        ("plain httpx loop", "HTTP", lambda: _plain(api_url, rows("p"))),
        (
            "plain httpx loop, our transport",
            "HTTP",
            lambda: _plain(api_url, rows("q"), pooled_transport()),
        ),
        ("engine", "HTTP", lambda: _engine(api_url, field_id, rows("e"), folder, None)),
        (
            "engine, httpx's default transport",
            "HTTP",
            lambda: _engine(api_url, field_id, rows("d"), folder, default()),
        ),
        ("plain httpx loop", "stub", lambda: _plain(_STUB_URL, rows("sp"), _stub())),
        ("engine", "stub", lambda: _engine(_STUB_URL, _STUB_FIELD, rows("se"), folder, _stub())),
    ]


def run() -> list[dict[str, object]]:
    """Return one row per (size, transport, client), the plain httpx loop first."""
    import airflow_provider_close.bulk.engine  # noqa: F401  (imports are not a row's cost)

    table: list[dict[str, object]] = []
    sandbox, api_url = matrix._start_sandbox(1_000_000, LATENCY_MS)
    try:
        field_id = matrix._custom_field(api_url)
        with tempfile.TemporaryDirectory(prefix="bench-cpu-") as scratch:
            for n in SIZES:
                _measure("warm-up", "HTTP", 50, lambda: _plain(api_url, _rows("w", 50)))
                for label, where, work in _cases(api_url, field_id, Path(scratch), n):
                    table.append(_measure(label, where, n, work))
    finally:
        sandbox.terminate()
        sandbox.wait()
        if sandbox.stdout is not None:
            sandbox.stdout.close()
    return table


if __name__ == "__main__":
    from table import format_table

    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(format_table(run()))
