"""A lead's embedded contacts, opportunities and tasks come from ``lead_children.py``, not a scan.

Contacts, opportunities and tasks are created, completed, deleted, and moved by lead merges
over HTTP; after each step every lead read over HTTP embeds exactly what a scan of the stores
finds under it, in store order.
"""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox


def _ok(response: httpx.Response) -> Any:
    response.raise_for_status()
    return response.json()


def _scanned(sandbox: CloseSandbox, lead_id: str) -> dict[str, list[str]]:
    state = sandbox.state
    with state.lock:
        under = {
            kind: [r["id"] for r in state.store(kind).values() if r["lead_id"] == lead_id]
            for kind in ("contact", "opportunity", "task")
        }
        under["task"] = [i for i in under["task"] if not state.tasks[i]["is_complete"]]
    return under


def _embedded(lead: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "contact": [c["id"] for c in lead["contacts"]],
        "opportunity": [o["id"] for o in lead["opportunities"]],
        "task": [t["id"] for t in lead["tasks"]],
    }


def _step(api: httpx.Client, sandbox: CloseSandbox, rng: random.Random) -> None:
    leads = list(sandbox.state.leads)
    action = rng.choice(["lead", "contact", "opportunity", "task", "done", "delete", "merge"])
    if action == "lead" or len(leads) < 2:
        _ok(api.post("lead/", json={"name": f"L{len(leads)}"}))
    elif action in ("contact", "opportunity"):
        _ok(api.post(f"{action}/", json={"lead_id": rng.choice(leads), "name": "x"}))
    elif action == "task":
        _ok(api.post("task/", json={"lead_id": rng.choice(leads), "text": "t"}))
    elif action == "done" and sandbox.state.tasks:
        task = rng.choice(list(sandbox.state.tasks))
        _ok(api.put(f"task/{task}/", json={"is_complete": True}))
    elif action == "delete":
        kind = rng.choice(["contact", "opportunity", "task", "lead"])
        ids = list(sandbox.state.store(kind))
        if ids:
            _ok(api.delete(f"{kind}/{rng.choice(ids)}/"))
    elif action == "merge":
        source, destination = rng.sample(leads, 2)
        _ok(api.post("lead/merge/", json={"source": source, "destination": destination}))


@pytest.mark.parametrize("seed", [1, 2])
def test_every_lead_embeds_what_a_scan_finds_under_it(sandbox: CloseSandbox, seed: int) -> None:
    rng = random.Random(seed)
    embedded = 0
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=10) as api:
        for _ in range(120):
            _step(api, sandbox, rng)
            for lead_id in list(sandbox.state.leads):
                lead = _ok(api.get(f"lead/{lead_id}/"))
                assert _embedded(lead) == _scanned(sandbox, lead_id)
                embedded += sum(len(ids) for ids in _embedded(lead).values())
    assert embedded > 500  # the leads had children to embed


def test_a_child_removed_or_moved_behind_the_states_back_is_not_embedded(
    sandbox: CloseSandbox,
) -> None:
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=10) as api:
        lead = _ok(api.post("lead/", json={"name": "L"}))
        kept = _ok(api.post("contact/", json={"lead_id": lead["id"], "name": "kept"}))
        gone = _ok(api.post("contact/", json={"lead_id": lead["id"], "name": "gone"}))
        assert len(_ok(api.get(f"lead/{lead['id']}/"))["contacts"]) == 2
        with sandbox.state.lock:
            del sandbox.state.contacts[gone["id"]]
        assert [c["id"] for c in _ok(api.get(f"lead/{lead['id']}/"))["contacts"]] == [kept["id"]]
        other = _ok(api.post("lead/", json={"name": "Other"}))
        with sandbox.state.lock:
            sandbox.state.contacts[kept["id"]]["lead_id"] = other["id"]  # moved in place
        assert _ok(api.get(f"lead/{lead['id']}/"))["contacts"] == []


def test_the_demo_seed_embeds_what_a_scan_finds(seeded_sandbox: CloseSandbox) -> None:
    box = seeded_sandbox
    with httpx.Client(base_url=box.api_url, auth=(box.api_key, ""), timeout=10) as api:
        for lead_id in list(box.state.leads):
            assert _embedded(_ok(api.get(f"lead/{lead_id}/"))) == _scanned(box, lead_id)
        assert any(_scanned(box, lead_id)["contact"] for lead_id in box.state.leads)
