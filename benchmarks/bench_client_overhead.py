"""CPU cost of ``CloseClient`` per request, against bare httpx on the same requests.

The sandbox runs in a child process (``python -m airflow_provider_close.sandbox``), so only
the client side's CPU is counted (``time.process_time()`` of this process). Both sides use one
keep-alive ``httpx.Client``; the bare side does exactly what the work needs (Basic auth, URL,
``raise_for_status``, ``.json()``, a ``_skip`` loop), the client adds retries, throttling,
rate-limit parsing, error mapping, encoding and pagination.

    .venv/bin/python benchmarks/bench_client_overhead.py [N]
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from airflow_provider_close.client import CloseClient  # noqa: E402

__all__ = ["run"]

API_KEY = "sk_bench_client_overhead"
LEADS = 1000
PAGE_SIZE = 200
_START_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _sandbox_process() -> Iterator[str]:
    """Run the sandbox CLI in a child process; yield its API URL."""
    port = _free_port()
    command = [sys.executable, "-m", "airflow_provider_close.sandbox", "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [*command, "--api-key", API_KEY],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    api_url = f"http://127.0.0.1:{port}/api/v1/"
    try:
        _wait_ready(api_url, child)
        yield api_url
    finally:
        child.terminate()
        child.wait(10)


def _wait_ready(api_url: str, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError("the sandbox process exited")
        try:
            httpx.get(f"{api_url}me/", auth=(API_KEY, ""), timeout=1.0).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the sandbox did not start in time")


async def _create_leads(api_url: str, count: int) -> list[str]:
    """Create ``count`` leads concurrently (setup, not measured)."""
    gate = asyncio.Semaphore(20)
    async with httpx.AsyncClient(base_url=api_url, auth=(API_KEY, ""), timeout=30) as http:

        async def one(n: int) -> str:
            async with gate:
                response = await http.post("lead/", json={"name": f"Bench {n:05d}"})
                response.raise_for_status()
                return str(response.json()["id"])

        return list(await asyncio.gather(*(one(n) for n in range(count))))


def _bare_walk(http: httpx.Client) -> int:
    """Walk ``lead/`` with bare httpx; return the number of items."""
    skip, total = 0, 0
    while True:
        response = http.get("lead/", params={"_limit": PAGE_SIZE, "_skip": skip})
        response.raise_for_status()
        page = response.json()
        total += len(page["data"])
        skip += len(page["data"])
        if not page.get("has_more"):
            return total


def _cpu_us_per_request(work: Callable[[], int], repeat: int) -> tuple[float, int]:
    """Return (CPU µs per request, requests) of ``repeat`` runs of ``work``."""
    work()  # warm up: connection, imports, caches
    requests = 0
    started = time.process_time()
    for _ in range(repeat):
        requests += work()
    return (time.process_time() - started) * 1e6 / requests, requests


def _row(case: str, bare: tuple[float, int], ours: tuple[float, int]) -> dict[str, object]:
    return {
        "case": case,
        "requests": ours[1],
        "httpx_cpu_us": bare[0],
        "client_cpu_us": ours[0],
        "overhead_us": ours[0] - bare[0],
        "ratio": ours[0] / bare[0],
    }


def _measure(api_url: str, lead_id: str, n: int) -> list[dict[str, object]]:
    walks = max(1, n // 50)
    pages = -(-LEADS // PAGE_SIZE)
    with (
        httpx.Client(base_url=api_url, auth=(API_KEY, ""), timeout=30) as http,
        CloseClient(api_key=API_KEY, base_url=api_url) as client,
    ):

        def bare_get() -> int:
            response = http.get(f"lead/{lead_id}/")
            response.raise_for_status()
            response.json()
            return 1

        def ours_get() -> int:
            client.get(f"lead/{lead_id}")
            return 1

        def ours_walk() -> int:
            assert sum(1 for _ in client.iter_items("lead", page_size=PAGE_SIZE)) == LEADS
            return pages

        def bare_walk() -> int:
            assert _bare_walk(http) == LEADS
            return pages

        return [
            _row(
                f"GET lead/{{id}}/ x{n}",
                _cpu_us_per_request(bare_get, n),
                _cpu_us_per_request(ours_get, n),
            ),
            _row(
                f"walk {LEADS} leads, {PAGE_SIZE}/page x{walks}",
                _cpu_us_per_request(bare_walk, walks),
                _cpu_us_per_request(ours_walk, walks),
            ),
        ]


def run(n: int = 500) -> list[dict[str, object]]:
    """Return one row per case: CPU µs per request for bare httpx and ``CloseClient``.

    :param n: GET requests per side (the page walk is repeated ``n // 50`` times).
    """
    with _sandbox_process() as api_url:
        ids = asyncio.run(_create_leads(api_url, LEADS))
        return _measure(api_url, ids[0], n)


def _main(argv: list[str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from table import format_table  # type: ignore[import-not-found]

    rows: Any = run(int(argv[0]) if argv else 500)
    print(format_table(rows))


if __name__ == "__main__":
    _main(sys.argv[1:])
