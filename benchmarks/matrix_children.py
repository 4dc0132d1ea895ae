"""The contact and opportunity memory cases of ``bench_upsert_matrix.py`` (issue 14 item 2).

A worker process runs a real ``upsert_children`` dry run over a JSONL file read line by line,
results appended to a result file, against an in-process stub that holds one lead per ten rows
(so the run's lead cache grows with the input: 100,000 lead keys at 1M rows) and no contact or
opportunity (every row is ``would_create``). Memory measured is the engine's.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

__all__ = ["child_input_file", "child_worker"]

_DEAL_FIELD = "cf_" + "D" * 43


def _stub_client() -> Any:
    """Return a stub that finds the lead of every lead key searched, no contact or opportunity."""
    from bench_upsert_matrix import _StubClient  # the lead memory rows' stub

    class _LeadsStub(_StubClient):
        async def iter_search(self, body: Any, **_: Any) -> AsyncIterator[dict[str, Any]]:
            self.stats.requests += 1
            kind, node = body["query"]["queries"][0]["object_type"], body["query"]["queries"][1]
            if kind == "lead":
                field = node["field"]["custom_field_id"]
                for value in node["condition"]["values"]:
                    yield {"id": f"lead_{value}", f"custom.{field}": value}

        async def iter_items(self, _path: str, _params: Any, **_: Any) -> AsyncIterator[Any]:
            self.stats.requests += 1
            for item in ():
                yield item

    return _LeadsStub()


def child_input_file(folder: Path, rows: int) -> Path:
    """Return a JSONL file of ``rows`` contact/opportunity rows, ten per lead key."""
    path = folder / f"child-rows-{rows}.jsonl"
    if not path.exists():
        with path.open("w") as handle:
            for i in range(rows):
                row = {"name": f"P {i}", "email": f"p{i}@x.example", "ext": f"A-{i // 10}"}
                handle.write(json.dumps({**row, "deal": f"D-{i}", "amount": "10"}) + "\n")
    return path


def _kind(spec: dict[str, Any]) -> Any:
    from airflow_provider_close.bulk.contact_kind import contact_kind, parse_contact_mapping
    from airflow_provider_close.bulk.contact_lookup import ContactKey
    from airflow_provider_close.bulk.opportunity_kind import (
        opportunity_kind,
        parse_opportunity_mapping,
    )

    if spec["kind"] == "contact":
        mapping = parse_contact_mapping({"name": "name", "emails": ["email"]})
        return contact_kind(mapping, ContactKey(None), {}, chunk_size=100)
    mapping = parse_opportunity_mapping({"value": "amount", "custom": {"Deal ID": "deal"}})
    keys = {"Deal ID": f"custom.{_DEAL_FIELD}"}
    return opportunity_kind(
        mapping, f"custom.{_DEAL_FIELD}", keys, value_unit="units", status_id_for=str
    )


async def child_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one contact or opportunity dry run; return counts, time and peak memory."""
    from airflow_provider_close.bulk.child_engine import upsert_children
    from airflow_provider_close.bulk.engine import UpsertOptions
    from airflow_provider_close.bulk.mapping import parse_mapping
    from airflow_provider_close.bulk.parent_leads import ParentLeads
    from airflow_provider_close.bulk.readers import iter_file_rows
    from airflow_provider_close.bulk.results import ResultFile
    from airflow_provider_close.lookups.leads import LeadMatchKey

    field_id = spec["field_id"]
    lead_mapping = parse_mapping({"name": "ext", "custom": {"External ID": "ext"}})
    parent = ParentLeads(
        LeadMatchKey("custom_field", field_id),
        "ext",
        lead_mapping,
        {"External ID": f"custom.{field_id}"},
    )
    options = UpsertOptions(max_concurrency=64, progress_interval=600.0, dry_run=True)
    client = _stub_client()
    started = time.perf_counter()
    with ResultFile(spec["result_path"]) as results:
        run = await upsert_children(
            client,
            iter_file_rows(spec["input"]),
            _kind(spec),
            parent,
            options=options,
            sink=results.add,
        )
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "seconds": seconds,
        "counts": dict(results.tally.counts),
        "requests": client.stats.requests,
        "rate_limited": 0,
        "peak": run.peak_concurrency,
        "rss_mb": usage.ru_maxrss / 1024,
    }
