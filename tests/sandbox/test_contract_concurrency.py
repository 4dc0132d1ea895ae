"""Contract: concurrent writes through the running sandbox keep state consistent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.fixtures.api import ok


def _create_leads(sandbox: CloseSandbox, worker: int) -> list[str]:
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=30) as client:
        return [
            ok(client.post("lead/", json={"name": f"w{worker}-{i}", "contacts": [{"name": "c"}]}))[
                "id"
            ]
            for i in range(10)
        ]


def test_parallel_clients_get_unique_ids_and_one_event_per_write(sandbox: CloseSandbox) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        batches = list(pool.map(lambda worker: _create_leads(sandbox, worker), range(4)))
    ids = [lead_id for batch in batches for lead_id in batch]
    state = sandbox.state
    with state.lock:
        assert len(set(ids)) == len(ids) == len(state.leads) == 40
        assert len(state.contacts) == 40
        assert len(state.events) == 80
