"""Sandbox search cost against the number of leads it holds (issue 14: 100,000-row upserts).

A bulk upsert looks its keys up 100 at a time with ``and(object_type lead, field_condition
term [values])``. The baseline is the full scan the sandbox used to run for every search (every
lead and contact evaluated), measured on the same state in the same run; the narrowed search
(``search/candidates.py`` over ``search/term_index.py``) is what ``POST /data/search/`` runs now.
Both are timed in-process (the sandbox's CPU per request, without HTTP).

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


def _ms(function: Any, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return 1000 * (time.perf_counter() - started) / repeat


def _case(size: int) -> dict[str, object]:
    import httpx

    from airflow_provider_close.sandbox import CloseSandbox
    from airflow_provider_close.sandbox.search.advanced import node_matches
    from airflow_provider_close.sandbox.search.data_search import run_search
    from airflow_provider_close.sandbox.search.objects import searchable_objects

    with CloseSandbox(api_key=KEY) as box:
        with httpx.Client(base_url=box.api_url, auth=(KEY, "")) as api:
            field = api.post("custom_field/lead/", json={"name": "Ext", "type": "text"}).json()
            proto = api.post("lead/", json={"name": "Proto"}).json()
        state = box.state
        template = state.leads.pop(proto["id"])
        for i in range(size):  # through state.add, so the index is kept as by any write
            lead = copy.deepcopy(template)
            lead.update(id=state.new_id("lead"), name=f"Co {i}")
            lead[f"custom.{field['id']}"] = f"E-{i}"
            state.add("lead", lead)
        condition = {"type": "term", "values": [f"E-{i}" for i in range(0, size, size // 100)]}
        query = {
            "type": "and",
            "queries": [
                {"type": "object_type", "object_type": "lead"},
                {
                    "type": "field_condition",
                    "field": {"type": "custom_field", "custom_field_id": field["id"]},
                    "condition": condition,
                },
            ],
        }
        body = {"query": query, "_fields": {"lead": ["id", "name"]}, "_limit": 200}

        def scan() -> None:
            with state.lock:
                indexed = state.search_records()
                found = [o for o in searchable_objects(indexed) if node_matches(indexed, o, query)]
            assert len(found) == 100

        def search() -> None:
            assert len(run_search(state, body, 200)["data"]) == 100

        repeat = max(1, 20_000 // size)
        first = _ms(search, 1)
        return {
            "leads": size,
            "full scan ms (baseline)": round(_ms(scan, repeat), 2),
            "first search ms (builds the index)": round(first, 2),
            "search ms": round(_ms(search, 20), 2),
        }


def run() -> list[dict[str, object]]:
    """Return one row per sandbox size: the full scan, the first and a later narrowed search."""
    return [_case(size) for size in SIZES]


if __name__ == "__main__":
    from table import format_table

    print(format_table(run()))
