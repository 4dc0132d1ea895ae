"""Windowed extraction at volume: requests made against the minimum, and memory against size.

Loads activities straight into a sandbox's state, then extracts them over real HTTP through
the real client in a *child process* (so tracemalloc sees only the extraction, not the
sandbox serving it). Reports, per scenario: requests sent against the minimum possible
(``ceil(N / page size)``; the keyset walk re-reads the rows at each page's last date value,
one or two here since dates come in pairs), windows walked, rows re-read, wall time, the
extraction's peak traced memory, and the file's SHA-256 (identical runs must produce identical
files). The sandbox's max skip no longer matters: keyset pages send no ``_skip``.

    .venv/bin/python benchmarks/bench_extract.py            # the table
    .venv/bin/python benchmarks/run.py extract
"""

from __future__ import annotations

import hashlib
import json
import math
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from airflow_provider_close.client.resources import max_page_size  # noqa: E402

if TYPE_CHECKING:
    from airflow_provider_close.sandbox import CloseSandbox

__all__ = ["run"]

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=30)
CLOSE_MAX_SKIP = 250_000
#: (rows, the sandbox's max skip for activities, runs of the same extraction)
SCENARIOS: tuple[tuple[int, int, int], ...] = (
    (10_000, CLOSE_MAX_SKIP, 1),
    (100_000, CLOSE_MAX_SKIP, 1),
    (100_000, 10_000, 2),
)


def _child(api_url: str, api_key: str, out: str) -> None:
    """Extract calls of [T0, T0 + SPAN) to ``out``; print the measurements as JSON."""
    from airflow_provider_close.client import CloseClient
    from airflow_provider_close.extraction import activity_spec, extract_to_stream

    with CloseClient(api_key=api_key, base_url=api_url) as client:
        tracemalloc.start()
        started = time.perf_counter()
        with open(out, "w", encoding="utf-8") as stream:
            result = extract_to_stream(client, activity_spec("call"), T0, T0 + SPAN, stream)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(json.dumps({**result, "seconds": seconds, "peak_bytes": peak}))


def _load(sandbox: CloseSandbox, rows: int) -> None:
    """Insert ``rows`` calls spread over the span, two per date value (ties)."""
    state = sandbox.state
    step = SPAN / (rows // 2 + 1)
    for i in range(rows):
        state.insert_activity("call", date_created=T0 + (i // 2) * step)


def _extract_once(api_url: str, api_key: str) -> tuple[dict[str, object], str]:
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "calls.ndjson")
        code = (
            f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
            f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            f"import bench_extract; bench_extract._child({api_url!r}, {api_key!r}, {out!r})"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        digest = hashlib.sha256(Path(out).read_bytes()).hexdigest()[:16]
    return json.loads(done.stdout.strip().splitlines()[-1]), digest


def _scenario(rows: int, max_skip: int, runs: int) -> dict[str, object]:
    from airflow_provider_close.sandbox import CloseSandbox

    page = max_page_size("activity/call/")
    with CloseSandbox() as sandbox:
        sandbox.set_limits(max_skip={"activity": max_skip})
        _load(sandbox, rows)
        measured = [_extract_once(sandbox.api_url, sandbox.api_key) for _ in range(runs)]
    result, digest = measured[0]
    minimum = math.ceil(rows / page)
    return {
        "rows": rows,
        "written": result["rows"],
        "server max_skip": max_skip,
        "requests": result["requests"],
        "minimum": minimum,
        "extra": int(str(result["requests"])) - minimum,
        "extra %": round(100 * (int(str(result["requests"])) - minimum) / minimum, 2),
        "windows": result["windows"],
        "rows re-read": result["rows_reread"],
        "seconds": float(str(result["seconds"])),
        "peak KiB": int(str(result["peak_bytes"])) // 1024,
        "sha256[:16]": digest,
        "identical re-run": "yes" if len({d for _, d in measured}) == 1 and runs > 1 else "-",
    }


def run(
    scenarios: tuple[tuple[int, int, int], ...] = SCENARIOS,
) -> list[dict[str, object]]:
    """Return one row per scenario (see the module docstring).

    :param scenarios: (rows, the sandbox's max skip, runs) triples; defaults to
        :data:`SCENARIOS` (10k and 100k rows, Close's max skip and a small one).
    """
    return [_scenario(rows, max_skip, runs) for rows, max_skip, runs in scenarios]


if __name__ == "__main__":
    from table import format_table

    print(format_table(run()))
