"""Contract: what change data capture reads (§7, §8, §9b): ``date_updated`` on every change,
date filters and sorts, lead merges and deletions in the event log, its 30-day retention, and
the asynchronous Export API with its gzip download."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.fixtures.api import api, ok

__all__ = ["api"]

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def frozen(sandbox: CloseSandbox) -> CloseSandbox:
    sandbox.clock.set(T0)
    return sandbox


def _events(api: httpx.Client, **params: str) -> list[dict[str, Any]]:
    return list(ok(api.get("event/", params=params))["data"])


def test_every_update_moves_date_updated(api: httpx.Client, frozen: CloseSandbox) -> None:
    lead = ok(api.post("lead/", json={"name": "A", "contacts": [{"name": "C"}]}))
    contact = lead["contacts"][0]
    note = ok(api.post("activity/note/", json={"lead_id": lead["id"], "note": "n"}))
    task = ok(api.post("task/", json={"lead_id": lead["id"], "text": "t"}))
    opp = ok(api.post("opportunity/", json={"lead_id": lead["id"], "value": 1}))
    frozen.clock.advance(60)
    later = "2026-03-01T12:01:00.000000+00:00"
    for path, body in (
        (f"lead/{lead['id']}/", {"name": "B"}),
        (f"contact/{contact['id']}/", {"title": "CEO"}),
        (f"activity/note/{note['id']}/", {"note": "m"}),
        (f"task/{task['id']}/", {"is_complete": True}),
        (f"opportunity/{opp['id']}/", {"value": 2}),
    ):
        assert ok(api.put(path, json=body))["date_updated"] == later, path
        assert ok(api.get(path))["date_updated"] == later, path


def test_date_updated_filters_on_opportunities_and_tasks(
    api: httpx.Client, frozen: CloseSandbox
) -> None:
    lead = ok(api.post("lead/", json={"name": "A"}))
    old_opp = ok(api.post("opportunity/", json={"lead_id": lead["id"]}))
    old_task = ok(api.post("task/", json={"lead_id": lead["id"], "text": "t"}))
    frozen.clock.advance(3600)
    ok(api.put(f"opportunity/{old_opp['id']}/", json={"value": 5}))
    ok(api.put(f"task/{old_task['id']}/", json={"text": "u"}))
    ok(api.post("opportunity/", json={"lead_id": lead["id"]}))
    window = {"date_updated__gte": "2026-03-01T12:30:00Z", "date_updated__lt": "2026-03-01T14:00Z"}
    opps = ok(api.get("opportunity/", params={**window, "_order_by": "date_updated"}))["data"]
    assert len(opps) == 2
    assert opps[0]["id"] == old_opp["id"]
    tasks = ok(api.get("task/", params={**window, "_type": "all"}))["data"]
    assert [t["id"] for t in tasks] == [old_task["id"]]
    before = {"date_updated__lt": "2026-03-01T12:30:00Z", "_type": "all"}
    assert ok(api.get("task/", params=before))["data"] == []


def test_search_moment_range_on_date_updated_sorted(
    api: httpx.Client, frozen: CloseSandbox
) -> None:
    first = ok(api.post("lead/", json={"name": "first"}))
    frozen.clock.advance(10)
    second = ok(api.post("lead/", json={"name": "second"}))
    frozen.clock.advance(10)
    ok(api.put(f"lead/{first['id']}/", json={"name": "first again"}))
    frozen.clock.advance(120)  # past any search index lag
    condition = {
        "type": "moment_range",
        "on_or_after": {"type": "fixed_utc", "value": "2026-03-01T12:00:05+00:00"},
        "before": {"type": "fixed_utc", "value": "2026-03-01T12:01:00+00:00"},
    }
    field = {"type": "regular_field", "object_type": "lead", "field_name": "date_updated"}
    body = {
        "query": {
            "type": "and",
            "queries": [
                {"type": "object_type", "object_type": "lead"},
                {"type": "field_condition", "field": field, "condition": condition},
            ],
        },
        "sort": [{"direction": "asc", "field": field}],
        "_fields": {"lead": ["id", "date_updated"]},
    }
    found = ok(api.post("data/search/", json=body))["data"]
    assert [row["id"] for row in found] == [second["id"], first["id"]]


def test_merge_moves_children_and_logs_close_shapes(
    api: httpx.Client, sandbox: CloseSandbox
) -> None:
    sandbox.clock.set(T0)
    source = ok(api.post("lead/", json={"name": "S", "contacts": [{"name": "C"}]}))
    destination = ok(api.post("lead/", json={"name": "D"}))
    note = ok(api.post("activity/note/", json={"lead_id": source["id"], "note": "n"}))
    task = ok(api.post("task/", json={"lead_id": source["id"], "text": "t"}))
    opp = ok(api.post("opportunity/", json={"lead_id": source["id"]}))
    body = {"source": source["id"], "destination": destination["id"]}
    sandbox.clock.advance(60)
    assert ok(api.post("lead/merge/", json=body)) == {}
    assert api.get(f"lead/{source['id']}/").status_code == 404
    merged = ok(api.get(f"lead/{destination['id']}/"))
    assert [c["id"] for c in merged["contacts"]] == [source["contacts"][0]["id"]]
    assert [o["id"] for o in merged["opportunities"]] == [opp["id"]]
    moved_note = ok(api.get(f"activity/note/{note['id']}/"))
    assert moved_note["lead_id"] == destination["id"]
    assert moved_note["date_updated"] == "2026-03-01T12:01:00.000000+00:00"  # a change
    assert ok(api.get(f"task/{task['id']}/"))["lead_id"] == destination["id"]
    meta = {
        "merge_source_lead_id": source["id"],
        "merge_destination_lead_id": destination["id"],
    }
    deleted = _events(api, object_type="lead", action="deleted")
    assert [e["object_id"] for e in deleted] == [source["id"]]
    assert deleted[0]["meta"].items() >= meta.items()
    assert deleted[0]["data"] is None
    assert deleted[0]["previous_data"]["name"] == "S"
    merged_events = _events(api, object_type="lead", action="merged")
    assert [e["object_id"] for e in merged_events] == [destination["id"]]
    assert merged_events[0]["meta"].items() >= meta.items()
    lead_merges = [a for a in sandbox.state.activities.values() if a["_type"] == "LeadMerge"]
    assert lead_merges[0]["lead_id"] == destination["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "source"), ({"source": "lead_x", "destination": "lead_y"}, "source")],
)
def test_merge_refuses_bad_leads(api: httpx.Client, body: dict[str, str], field: str) -> None:
    response = api.post("lead/merge/", json=body)
    assert response.status_code == 400
    assert field in response.json()["field-errors"]


def test_events_older_than_30_days_are_gone(api: httpx.Client, frozen: CloseSandbox) -> None:
    lead = ok(api.post("lead/", json={"name": "A"}))
    event_id = _events(api, object_id=lead["id"], object_type="lead")[0]["id"]
    frozen.clock.advance(30 * 86400 - 1)
    assert len(_events(api, object_id=lead["id"], object_type="lead")) == 1
    frozen.clock.advance(2)
    assert _events(api, object_id=lead["id"], object_type="lead") == []
    assert api.get(f"event/{event_id}/").status_code == 404


def test_export_completes_on_the_clock_and_downloads_gzip_json(
    api: httpx.Client, frozen: CloseSandbox
) -> None:
    lead = ok(api.post("lead/", json={"name": "A", "contacts": [{"name": "C"}]}))
    ok(api.post("activity/note/", json={"lead_id": lead["id"], "note": "n"}))
    export = ok(api.post("export/lead/", json={"format": "json", "include_activities": True}))
    assert export["status"] == "created"
    assert export["download_url"] is None
    frozen.clock.advance(1)
    assert ok(api.get(f"export/{export['id']}/"))["status"] == "in_progress"
    frozen.clock.advance(frozen.state.export_seconds)
    done = ok(api.get(f"export/{export['id']}/"))
    assert done["status"] == "done"
    with httpx.stream("GET", done["download_url"]) as response:
        assert response.headers["content-encoding"] == "gzip"
        raw = b"".join(response.iter_raw())  # the file itself, as stored
    rows = json.loads(gzip.decompress(raw))
    assert [row["id"] for row in rows] == [lead["id"]]
    assert rows[0]["contacts"][0]["name"] == "C"
    assert rows[0]["activities"][0]["_type"] == "Note"


def test_lead_export_s_query_matches_through_contacts_without_the_lag(
    api: httpx.Client, frozen: CloseSandbox
) -> None:
    wanted = ok(api.post("lead/", json={"name": "A", "contacts": [{"name": "Zed"}]}))
    ok(api.post("lead/", json={"name": "B", "contacts": [{"name": "Amy"}]}))
    name = {"type": "regular_field", "object_type": "contact", "field_name": "name"}
    query = {
        "type": "has_related",
        "this_object_type": "lead",
        "related_object_type": "contact",
        "related_query": {
            "type": "field_condition",
            "field": name,
            "condition": {"type": "term", "values": ["zed"]},
        },
    }
    export = ok(api.post("export/lead/", json={"format": "json", "s_query": query}))
    frozen.clock.advance(frozen.state.export_seconds)  # less than the search lag
    url = ok(api.get(f"export/{export['id']}/"))["download_url"]
    with httpx.stream("GET", url) as response:
        rows = json.loads(gzip.decompress(b"".join(response.iter_raw())))
    assert [row["id"] for row in rows] == [wanted["id"]]


def test_opportunity_export_applies_list_filters(api: httpx.Client, frozen: CloseSandbox) -> None:
    lead = ok(api.post("lead/", json={"name": "A"}))
    small = ok(api.post("opportunity/", json={"lead_id": lead["id"], "value_period": "monthly"}))
    ok(api.post("opportunity/", json={"lead_id": lead["id"], "value_period": "annual"}))
    body = {"format": "json", "params": {"value_period": "monthly"}}
    export = ok(api.post("export/opportunity/", json=body))
    assert api.get(f"export/{export['id']}/").json()["download_url"] is None
    frozen.clock.advance(frozen.state.export_seconds)
    url = ok(api.get(f"export/{export['id']}/"))["download_url"]
    assert [row["id"] for row in httpx.get(url).json()] == [small["id"]]


def test_export_refuses_other_formats(api: httpx.Client) -> None:
    response = api.post("export/lead/", json={"format": "csv"})
    assert response.status_code == 400
    assert "format" in response.json()["field-errors"]
