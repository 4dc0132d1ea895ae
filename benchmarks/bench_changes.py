"""Change extraction at volume: requests against the minimum, and memory against size.

Seeds a sandbox in-process (its model code, no HTTP creates: 100,000 leads take seconds),
each object with its own ``date_updated``, then runs ``iter_changes`` over real HTTP through
the real client in a *child process* (tracemalloc sees only the extraction, not the sandbox
serving it), writing NDJSON as the operator does. Two object types:

* ``lead``: Advanced Filtering (``POST /data/search/``, ``moment_range`` on ``date_updated``,
  sorted ascending), keyset-walked; minimum = 1 (the lead custom field definitions) +
  ``ceil(N / search page)``;
* ``opportunity``: ``GET /opportunity/?date_updated__gte&__lt&_order_by=date_updated``,
  keyset-walked; minimum = ``ceil(N / 250)``.

Requests are counted by the sandbox's request log. "peak KiB" is the extraction's peak traced
memory; flat from 10,000 to 100,000 means memory does not grow with the interval's size.

    .venv/bin/python benchmarks/bench_changes.py            # the table
    .venv/bin/python benchmarks/run.py changes
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

from airflow_provider_close.client.paginators import SEARCH_PATH  # noqa: E402
from airflow_provider_close.client.resources import max_page_size  # noqa: E402

if TYPE_CHECKING:
    from airflow_provider_close.sandbox import CloseSandbox

__all__ = ["run"]

T0 = datetime(2026, 1, 1, tzinfo=UTC)
#: Leads that own the opportunities.
_OWNERS = 1_000
#: (object type, objects changed in the interval)
SCENARIOS: tuple[tuple[str, int], ...] = (
    ("lead", 10_000),
    ("lead", 100_000),
    ("opportunity", 10_000),
    ("opportunity", 100_000),
)


def _child(api_url: str, api_key: str, object_type: str, end: str, out: str) -> None:
    """Extract the changes of [T0, end) to ``out``; print the measurements as JSON."""
    from airflow_provider_close.client import CloseClient
    from airflow_provider_close.extraction.changes import iter_changes
    from airflow_provider_close.extraction.keyset import KeysetStats
    from airflow_provider_close.extraction.ndjson import json_line
    from airflow_provider_close.extraction.windows import Window

    window = Window(T0, datetime.fromisoformat(end))
    stats = KeysetStats()
    with CloseClient(api_key=api_key, base_url=api_url) as client:
        tracemalloc.start()
        started = time.perf_counter()
        rows = 0
        with open(out, "w", encoding="utf-8") as stream:
            for row in iter_changes(client, object_type, window, stats):
                stream.write(json_line(row))
                rows += 1
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print(json.dumps({"rows": rows, "reread": stats.reread, "seconds": seconds, "peak": peak}))


def _seed(sandbox: CloseSandbox, object_type: str, count: int) -> datetime:
    """Create ``count`` objects one second apart (plus untouched ones outside); return the end."""
    from airflow_provider_close.sandbox.events import RequestMeta
    from airflow_provider_close.sandbox.models.leads import create_lead
    from airflow_provider_close.sandbox.models.opportunities import create_opportunity

    state, clock = sandbox.state, sandbox.clock
    meta = RequestMeta("POST", f"/api/v1/{object_type}/")
    clock.set(T0 - timedelta(days=1))
    owners = [create_lead(state, {"name": f"owner {n}"}, meta)["id"] for n in range(_OWNERS)]
    clock.set(T0)
    for number in range(count):
        if object_type == "lead":
            create_lead(state, {"name": f"lead {number}"}, meta)
        else:
            create_opportunity(state, {"lead_id": owners[number % _OWNERS]}, meta)
        clock.advance(1)
    end = clock.now()
    clock.advance(3_600)  # after the interval: must not be extracted
    create_lead(state, {"name": "later"}, meta)
    create_opportunity(state, {"lead_id": owners[0]}, meta)
    clock.advance(86_400)
    return end


def _minimum(object_type: str, count: int) -> int:
    if object_type == "lead":
        return 1 + math.ceil(count / max_page_size(SEARCH_PATH))
    return math.ceil(count / max_page_size("opportunity/"))


def _scenario(object_type: str, count: int) -> dict[str, object]:
    from airflow_provider_close.sandbox import CloseSandbox

    with CloseSandbox() as sandbox, tempfile.TemporaryDirectory() as folder:
        sandbox.set_search_lag(0)
        seeding = time.perf_counter()
        end = _seed(sandbox, object_type, count)
        seeded = time.perf_counter() - seeding
        assert sandbox.requests == []  # seeded in-process: no HTTP so far
        out = str(Path(folder) / "changes.ndjson")
        code = (
            f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
            f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            f"import bench_changes; bench_changes._child({sandbox.api_url!r}, "
            f"{sandbox.api_key!r}, {object_type!r}, {end.isoformat()!r}, {out!r})"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        requests = len(sandbox.requests)
        digest = hashlib.sha256(Path(out).read_bytes()).hexdigest()[:16]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    minimum = _minimum(object_type, count)
    return {
        "object type": object_type,
        "changed": count,
        "written": result["rows"],
        "requests": requests,
        "minimum": minimum,
        "extra %": round(100 * (requests - minimum) / minimum, 2),
        "rows re-read": result["reread"],
        "seed s": round(seeded, 1),
        "extract s": float(result["seconds"]),
        "peak KiB": int(result["peak"]) // 1024,
        "sha256[:16]": digest,
    }


def run(scenarios: tuple[tuple[str, int], ...] = SCENARIOS) -> list[dict[str, object]]:
    """Return one row per scenario (see the module docstring).

    :param scenarios: (object type, count) pairs; defaults to :data:`SCENARIOS`.
    """
    return [_scenario(object_type, count) for object_type, count in scenarios]


if __name__ == "__main__":
    from table import format_table

    print(format_table(run()))
