"""Sandbox search cost against the number of leads it holds (issue 14: 100,000-row upserts).

A bulk upsert looks its keys up 100 at a time: by a custom field, ``and(object_type lead,
field_condition term [values])``; by email, a lead whose contact has an email of ``or(text
phrase ...)``. Every lead here has one contact with one email. The baseline is the full scan
the sandbox used to run for every search (every lead and contact evaluated), measured on the
same state in the same run; the narrowed search (``search/candidates.py`` over
``search/term_index.py``) is what ``POST /data/search/`` runs now. Both are timed in-process
(the sandbox's CPU per request, without HTTP). The bodies are the ones the bulk upsert sends
(``lookups/leads.lead_key_search_body``).

    .venv/bin/python benchmarks/run.py sandbox_search
"""

from __future__ import annotations

import copy
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

__all__ = ["run"]

SIZES = [int(n) for n in os.environ.get("BENCH_SEARCH_SIZES", "1000,10000,100000").split(",")]
KEY = "bench-search-key-" + "x" * 16


def _ms(function: Any, repeat: int, *args: Any) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        function(*args)
    return 1000 * (time.perf_counter() - started) / repeat


def _case(size: int) -> dict[str, object]:
    import httpx

    from airflow_provider_close.lookups.leads import LeadMatchKey, lead_key_search_body
    from airflow_provider_close.sandbox import CloseSandbox
    from airflow_provider_close.sandbox.search.advanced import node_matches
    from airflow_provider_close.sandbox.search.data_search import run_search
    from airflow_provider_close.sandbox.search.objects import searchable_objects

    with CloseSandbox(api_key=KEY) as box:
        with httpx.Client(base_url=box.api_url, auth=(KEY, "")) as api:
            field = api.post("custom_field/lead/", json={"name": "Ext", "type": "text"}).json()
            proto = api.post("lead/", json={"name": "Proto"}).json()
            email = {"email": "proto@example.com", "type": "office"}
            person = api.post("contact/", json={"lead_id": proto["id"], "emails": [email]}).json()
            state = box.state
            template = copy.deepcopy(state.leads[proto["id"]])
            contact = copy.deepcopy(state.contacts[person["id"]])
            api.delete(f"lead/{proto['id']}/").raise_for_status()  # and its contact
        for i in range(size):  # through state.add, so the index is kept as by any write
            lead = copy.deepcopy(template)
            lead.update(id=state.new_id("lead"), name=f"Co {i}")
            lead[f"custom.{field['id']}"] = f"E-{i}"
            state.add("lead", lead)
            person = copy.deepcopy(contact)
            person.update(id=state.new_id("cont"), lead_id=lead["id"])
            person["emails"] = [{**contact["emails"][0], "email": f"p{i}@example.com"}]
            state.add("contact", person)
        chosen = range(0, size, size // 100)
        by_field = LeadMatchKey("custom_field", field["id"])
        body = {**lead_key_search_body(by_field, [f"E-{i}" for i in chosen]), "_limit": 200}
        emails = [f"p{i}@example.com" for i in chosen]
        email_body = {**lead_key_search_body(LeadMatchKey("contact_email"), emails), "_limit": 200}

        def scan(search_body: dict[str, Any]) -> None:
            with state.lock:
                indexed = state.search_records()
                wanted = search_body["query"]
                found = [o for o in searchable_objects(indexed) if node_matches(indexed, o, wanted)]
            assert len(found) == 100

        def search(search_body: dict[str, Any]) -> None:
            assert len(run_search(state, search_body, 200)["data"]) == 100

        repeat = max(1, 20_000 // size)
        row: dict[str, object] = {"leads (one contact each)": size}
        for name, lookup in (("by custom field", body), ("by email", email_body)):
            first = _ms(search, 1, lookup)
            row[f"{name}: full scan ms (baseline)"] = round(_ms(scan, repeat, lookup), 1)
            row[f"{name}: first search ms (builds the index)"] = round(first, 1)
            row[f"{name}: search ms"] = round(_ms(search, 20, lookup), 2)
        return row


def run() -> list[dict[str, object]]:
    """Return one row per sandbox size: the full scan, the first and a later narrowed search."""
    return [_case(size) for size in SIZES]


if __name__ == "__main__":
    from table import format_table

    print(format_table(run()))
