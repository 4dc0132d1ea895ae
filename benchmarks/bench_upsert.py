"""Bulk lead upsert under a per-group rate limit: how close to the limit, and how many 429s.

Against a fresh sandbox with ``lead:write`` limited to ``LIMIT`` requests per second (per API
key; fixed windows) and ``LATENCY_MS`` of added latency on every response, upsert ``rows``
new leads matched on an "External ID" custom field:

* **airflow-provider-close**: the bulk engine (``bulk.engine.upsert_leads``) on
  ``AsyncCloseClient``: batched ``/data/search/`` lookups, then concurrent creates bounded by
  the adaptive limiter and spaced by the client's ``RateLimit`` throttle;
* **closeio_api** (the official Python client, sync): the usual loop, one search then one
  create per row. It is far slower (two round trips per row, one at a time), so it runs on
  ``baseline_rows`` rows; the table says how many.

Achieved lead writes per second are successful ``POST /lead/`` over the run's wall time
(lookups included), as a fraction of the limit; the target is >= 0.9 with < 1 % of requests
answered 429. The sandbox's search trails writes by ``SEARCH_LAG`` seconds, as Close's does.

A third line runs the engine with ``LOST_SHARE`` of lead creates dropped after commit (the
response lost): those rows wait out the 60 s settle window once, at the end, then one search
resolves them; its rate shows that cost, and ``duplicates`` must be 0.

    .venv/bin/python benchmarks/bench_upsert.py        # the table
    .venv/bin/python benchmarks/run.py upsert
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from airflow_provider_close.bulk.engine import UpsertOptions, upsert_leads  # noqa: E402
from airflow_provider_close.bulk.mapping import parse_mapping  # noqa: E402
from airflow_provider_close.client.asynchronous import AsyncCloseClient  # noqa: E402
from airflow_provider_close.lookups.leads import LeadMatchKey, lead_key_search_body  # noqa: E402
from airflow_provider_close.sandbox import CloseSandbox, Fault  # noqa: E402

__all__ = ["run"]

LIMIT = 20
LATENCY_MS = 50
SEARCH_LAG = 60.0
LOST_SHARE = 0.1
MAPPING = {"name": "company", "custom": {"External ID": "ext"}}


def _rows(count: int, prefix: str) -> list[dict[str, Any]]:
    return [{"company": f"{prefix} Co {i}", "ext": f"{prefix}-{i}"} for i in range(count)]


def _prepare(sandbox: CloseSandbox) -> str:
    """Reset the sandbox, create the External ID field, arm the limit; return the field id."""
    sandbox.reset()
    import httpx

    response = httpx.post(
        f"{sandbox.api_url}custom_field/lead/",
        json={"name": "External ID", "type": "text"},
        auth=(sandbox.api_key, ""),
    )
    response.raise_for_status()
    sandbox.set_rate_limit("lead:write", LIMIT, 1.0)
    sandbox.set_latency(LATENCY_MS)
    return str(response.json()["id"])


def _measure(sandbox: CloseSandbox, label: str, rows: int, seconds: float) -> dict[str, object]:
    requests = sandbox.requests
    created = len(sandbox.state.leads)
    distinct = len({lead.get("name") for lead in sandbox.state.leads.values()})
    refused = sum(1 for r in requests if r.status == 429)
    rate = created / seconds if seconds else 0.0
    return {
        "client": label,
        "rows": rows,
        "leads created": created,
        "duplicates": created - distinct,
        "seconds": round(seconds, 1),
        "lead writes/s": round(rate, 2),
        "fraction of limit": round(rate / LIMIT, 3),
        "requests": len(requests),
        "429s": refused,
        "429 share": f"{100.0 * refused / max(1, len(requests)):.2f}%",
    }


async def _ours(sandbox: CloseSandbox, field_id: str, rows: int, concurrency: int) -> float:
    key = LeadMatchKey("custom_field", field_id)
    options = UpsertOptions(max_concurrency=concurrency, progress_interval=30.0)
    started = time.perf_counter()
    async with AsyncCloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        run = await upsert_leads(
            client,
            _rows(rows, "OURS"),
            parse_mapping(MAPPING),
            key,
            {"External ID": f"custom.{field_id}"},
            options=options,
        )
    seconds = time.perf_counter() - started
    missing = [r for r in run.results if r["action"] != "created"]
    if missing:
        raise RuntimeError(f"{len(missing)} rows not created, e.g. {missing[:2]}")
    return seconds


def _closeio(sandbox: CloseSandbox, field_id: str, rows: int) -> float:
    from closeio_api import Client

    api = Client(api_key=sandbox.api_key)
    api.base_url = (
        sandbox.api_url
    )  # Client only knows api.close.com; the sandbox speaks the same API
    key = LeadMatchKey("custom_field", field_id)
    started = time.perf_counter()
    for row in _rows(rows, "CLOSEIO"):
        # closeio_api appends the trailing slash itself
        found = api.post("data/search", data=lead_key_search_body(key, [row["ext"]]))
        if not found["data"]:
            api.post("lead", data={"name": row["company"], f"custom.{field_id}": row["ext"]})
    return time.perf_counter() - started


def run(
    rows: int = 2000, baseline_rows: int = 400, concurrency: int = 8
) -> list[dict[str, object]]:
    """Return the table rows: ours on ``rows`` leads, closeio_api on ``baseline_rows``.

    :param rows: leads upserted through the bulk engine.
    :param baseline_rows: leads upserted through closeio_api (sync: two round trips a row).
    :param concurrency: the engine's ``max_concurrency``.
    """
    table = []
    with CloseSandbox(search_lag=SEARCH_LAG) as sandbox:
        field_id = _prepare(sandbox)
        seconds = asyncio.run(_ours(sandbox, field_id, rows, concurrency))
        table.append(_measure(sandbox, "airflow-provider-close", rows, seconds))
        field_id = _prepare(sandbox)
        lost = Fault("drop_after", method="POST", path="/lead/", probability=LOST_SHARE, seed=1)
        sandbox.add_fault(lost)
        seconds = asyncio.run(_ours(sandbox, field_id, rows, concurrency))
        label = f"airflow-provider-close, {LOST_SHARE:.0%} of creates lost"
        table.append(_measure(sandbox, label, rows, seconds))
        field_id = _prepare(sandbox)
        seconds = _closeio(sandbox, field_id, baseline_rows)
        table.append(
            _measure(sandbox, f"closeio_api (sync, {baseline_rows} rows)", baseline_rows, seconds)
        )
    for line in table:
        line["limit (lead:write/s)"] = LIMIT
        line["latency ms"] = LATENCY_MS
        line["search lag s"] = SEARCH_LAG
    return table


if __name__ == "__main__":
    from table import format_table

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    print(format_table(run(rows)))
