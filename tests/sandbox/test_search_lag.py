"""Search trails writes (close-api.md §9b): ``/data/search/`` and ``GET /lead/?query=`` see a
lead or contact write only ``search_lag`` seconds (sandbox clock) later; reads by id and
plain lists see it at once. Created objects are missing, updated ones stale, deleted ones
still found until then."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.clock import SandboxClock
from airflow_provider_close.sandbox.search.index import SearchIndex
from tests.sandbox.fixtures.api import api, ok

__all__ = ["api"]

LAG = 60.0


def _search_names(api: httpx.Client, text: str) -> list[str]:
    query = {
        "type": "and",
        "queries": [
            {"type": "object_type", "object_type": "lead"},
            {"type": "text", "value": text},
        ],
    }
    page = ok(api.post("data/search/", json={"query": query, "_fields": {"lead": ["name"]}}))
    return [item["name"] for item in page["data"]]


def _query_names(api: httpx.Client, query: str) -> list[str]:
    return [lead["name"] for lead in ok(api.get("lead/", params={"query": query}))["data"]]


@pytest.fixture
def lagging(sandbox: CloseSandbox) -> CloseSandbox:
    sandbox.set_search_lag(LAG)
    return sandbox


def test_a_created_lead_is_read_at_once_but_searched_only_after_the_lag(
    api: httpx.Client, lagging: CloseSandbox
) -> None:
    lead = ok(api.post("lead/", json={"name": "Lagging Ltd"}))
    assert ok(api.get(f"lead/{lead['id']}/"))["name"] == "Lagging Ltd"
    assert [item["id"] for item in ok(api.get("lead/"))["data"]] == [lead["id"]]
    assert _search_names(api, "Lagging") == []
    assert _query_names(api, 'name:"Lagging Ltd"') == []

    lagging.clock.advance(LAG - 1)
    assert _search_names(api, "Lagging") == []
    lagging.clock.advance(1)
    assert _search_names(api, "Lagging") == ["Lagging Ltd"]
    assert _query_names(api, 'name:"Lagging Ltd"') == ["Lagging Ltd"]


def test_an_updated_lead_is_stale_and_a_deleted_one_still_found_until_the_lag(
    api: httpx.Client, lagging: CloseSandbox
) -> None:
    lead = ok(api.post("lead/", json={"name": "Old Name"}))
    lagging.clock.advance(LAG)
    ok(api.put(f"lead/{lead['id']}/", json={"name": "New Name"}))
    assert _search_names(api, "Old") == ["Old Name"]  # stale: the old values
    assert _search_names(api, "New") == []
    lagging.clock.advance(LAG)
    assert _search_names(api, "New") == ["New Name"]
    assert _search_names(api, "Old") == []

    ok(api.delete(f"lead/{lead['id']}/"))
    assert api.get(f"lead/{lead['id']}/").status_code == 404
    assert _query_names(api, 'name:"New Name"') == ["New Name"]  # still in the index
    lagging.clock.advance(LAG)
    assert _query_names(api, 'name:"New Name"') == []


def test_a_new_contact_reaches_the_lead_email_search_only_after_the_lag(
    api: httpx.Client, lagging: CloseSandbox
) -> None:
    lead = ok(api.post("lead/", json={"name": "Contactless"}))
    lagging.clock.advance(LAG)
    ok(api.post("contact/", json={"lead_id": lead["id"], "emails": [{"email": "a@b.example"}]}))
    assert len(ok(api.get("contact/", params={"lead_id": lead["id"]}))["data"]) == 1
    assert _query_names(api, 'email:"a@b.example"') == []
    lagging.clock.advance(LAG)
    assert _query_names(api, 'email:"a@b.example"') == ["Contactless"]


def test_writes_keep_the_lag_they_were_made_under(api: httpx.Client, lagging: CloseSandbox) -> None:
    ok(api.post("lead/", json={"name": "Before"}))
    lagging.set_search_lag(0)
    ok(api.post("lead/", json={"name": "After"}))
    assert _search_names(api, "After") == ["After"]
    assert _search_names(api, "Before") == []


def test_seeded_data_is_searchable_at_once(seeded_sandbox: CloseSandbox) -> None:
    assert seeded_sandbox.search_lag > 0
    assert seeded_sandbox.state.search_records().leads.keys() == seeded_sandbox.state.leads.keys()


def test_the_lag_is_set_by_argument_method_and_control_endpoint_and_reset_restores_it(
    sandbox: CloseSandbox,
) -> None:
    configured = sandbox.search_lag
    with httpx.Client(base_url=sandbox.url) as control:
        assert ok(control.get("/_sandbox/search_lag")) == {"seconds": configured}
        assert ok(control.post("/_sandbox/search_lag", json={"seconds": 90})) == {"seconds": 90}
        assert sandbox.search_lag == 90
        assert control.post("/_sandbox/search_lag", json={"seconds": -1}).status_code == 400
    sandbox.set_search_lag(5)
    sandbox.reset()
    assert sandbox.search_lag == configured
    with pytest.raises(ValueError, match="search_lag"):
        CloseSandbox(search_lag=-1)


def test_held_back_writes_are_dropped_once_visible_even_without_searches() -> None:
    clock = SandboxClock()
    clock.set(datetime(2026, 3, 1, tzinfo=UTC))
    index = SearchIndex(clock.now)
    index.lag_seconds = LAG
    for i in range(999):
        index.written("lead", f"lead_{i}", None, {"id": f"lead_{i}"})
    index.written("task", "task_1", None, {"id": "task_1"})  # not indexed: never held back
    assert len(index) == 999
    clock.advance(LAG)
    index.written("lead", "lead_last", None, {"id": "lead_last"})  # the 1000th: a sweep
    assert len(index) == 1
