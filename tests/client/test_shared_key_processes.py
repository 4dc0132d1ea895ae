"""Separate processes sharing one API key pace themselves from what Close reports (issue 14).

Each worker is its own Python process with its own ``AsyncCloseClient`` (so its own throttle),
as two Airflow tasks on two workers would be; nothing passes between them but the sandbox's
``ratelimit`` headers, over real HTTP. Before the cooperative pacing, each process assumed the
whole window at each window start: two processes then had about 10% of their creates answered
429 (RESULTS.md, "Bulk upsert matrix"). The bound here is well above what the pacing gives on a
busy machine (under 1%) and well below that.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from airflow_provider_close.sandbox import CloseSandbox

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import asyncio, sys
from airflow_provider_close.bulk.engine import UpsertOptions, upsert_leads
from airflow_provider_close.bulk.mapping import parse_mapping
from airflow_provider_close.client.asynchronous import AsyncCloseClient
from airflow_provider_close.lookups.leads import LeadMatchKey

async def main(api_url: str, key: str, field: str, name: str, count: int) -> None:
    rows = [{"company": f"{name}-{i}", "ext": f"{name}-{i}"} for i in range(count)]
    mapping = parse_mapping({"name": "company", "custom": {"External ID": "ext"}})
    async with AsyncCloseClient(api_key=key, base_url=api_url) as client:
        run = await upsert_leads(
            client, rows, mapping, LeadMatchKey("custom_field", field),
            {"External ID": f"custom.{field}"}, options=UpsertOptions(max_concurrency=64),
        )
    assert [r["action"] for r in run.results] == ["created"] * count, run.results

asyncio.run(main(*sys.argv[1:5], int(sys.argv[5])))
"""
LIMIT = 20
PER_WORKER = 60


def test_two_processes_on_one_key_are_rarely_answered_429(sandbox: CloseSandbox) -> None:
    sandbox.set_rate_limit("lead:write", LIMIT, 1.0)
    sandbox.set_latency(50)  # a round trip to Close takes tens of ms
    field = _custom_field(sandbox)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                sandbox.api_url,
                sandbox.api_key,
                field,
                name,
                str(PER_WORKER),
            ],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("ONE", "TWO")
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=120)
        assert worker.returncode == 0, errors

    creates = [r for r in sandbox.requests if r.method == "POST" and r.path == "/lead/"]
    refused = sum(r.status == 429 for r in creates)
    created = sum(r.status == 200 for r in creates)
    assert created == 2 * PER_WORKER, json.dumps([r.status for r in creates])
    assert refused / len(creates) < 0.04, f"{refused} of {len(creates)} creates answered 429"
    names = sorted(lead["name"] for lead in sandbox_leads(sandbox))
    assert names == sorted(f"{n}-{i}" for n in ("ONE", "TWO") for i in range(PER_WORKER))


def _custom_field(sandbox: CloseSandbox) -> str:
    import httpx

    response = httpx.post(
        f"{sandbox.api_url}custom_field/lead/",
        json={"name": "External ID", "type": "text"},
        auth=(sandbox.api_key, ""),
    )
    response.raise_for_status()
    return str(response.json()["id"])


def sandbox_leads(sandbox: CloseSandbox) -> list[dict[str, object]]:
    import httpx

    found: list[dict[str, object]] = []
    skip = 0
    while True:
        page = httpx.get(
            f"{sandbox.api_url}lead/",
            params={"_skip": skip, "_limit": 100, "_fields": "name"},
            auth=(sandbox.api_key, ""),
        ).json()
        found.extend(page["data"])
        if not page["has_more"]:
            return found
        skip += len(page["data"])
