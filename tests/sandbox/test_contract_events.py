"""Contract: the ``/event/`` log (§7) and the lead delete cascade (§6.1)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.fixtures.api import api, ok
from tests.sandbox.live_target import ContractTarget

__all__ = ["api"]

pytestmark = pytest.mark.live

NAIVE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")


def _events(api: httpx.Client, **params: str) -> list[dict[str, Any]]:
    return list(ok(api.get("event/", params=params))["data"])


def test_writes_are_logged_newest_first_with_changes(
    api: httpx.Client, target: ContractTarget
) -> None:
    lead = ok(api.post("lead/", json={"name": target.name("A"), "description": "d"}))
    ok(api.put(f"lead/{lead['id']}/", json={"name": target.name("B")}))
    events = _events(api, object_id=lead["id"], object_type="lead")
    assert [e["action"] for e in events] == ["updated", "created"]
    updated = events[0]
    assert re.match(r"^ev_[0-9A-Za-z]{22}$", updated["id"])
    assert NAIVE.match(updated["date_updated"])
    assert "name" in updated["changed_fields"]
    assert updated["previous_data"]["name"] == target.name("A")
    assert updated["data"]["name"] == target.name("B")
    assert updated["meta"] == {
        "request_method": "PUT",
        "request_path": f"/api/v1/lead/{lead['id']}/",
    }
    assert updated["request_id"].startswith("req_")


def test_deleting_a_lead_cascades_with_one_event_per_object(
    api: httpx.Client, sandbox: CloseSandbox
) -> None:
    lead = ok(api.post("lead/", json={"name": "A", "contacts": [{"name": "C"}]}))
    lead_id = lead["id"]
    ok(api.post("activity/note/", json={"lead_id": lead_id, "note": "n"}))
    ok(api.post("task/", json={"lead_id": lead_id, "text": "t"}))
    ok(api.post("opportunity/", json={"lead_id": lead_id, "value": 1}))
    assert ok(api.delete(f"lead/{lead_id}/")) == {}
    state = sandbox.state
    assert not [
        s for s in (state.contacts, state.activities, state.tasks, state.opportunities) if s
    ]
    deleted = {e["object_type"] for e in _events(api, lead_id=lead_id) if e["action"] == "deleted"}
    assert deleted == {"lead", "contact", "activity.note", "task.lead", "opportunity"}
    gone = _events(api, object_type="lead", action="deleted")[0]
    assert (gone["data"], gone["previous_data"]["name"]) == (None, "A")


@pytest.mark.parametrize(
    "params",
    [{"action": "created"}, {"object_type": "lead"}, {"lead_id": "l", "action": "created"}],
)
def test_filter_combinations_close_does_not_allow(
    api: httpx.Client, params: dict[str, str]
) -> None:
    response = api.get("event/", params=params)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


def test_skip_is_not_supported_and_limit_is_at_most_50(api: httpx.Client) -> None:
    assert api.get("event/", params={"_skip": 1}).status_code == 400
    assert api.get("event/", params={"_limit": 51}).status_code == 400


@pytest.mark.sandbox_only("assumes an empty organisation")
def test_cursor_walk_returns_every_event_once(api: httpx.Client) -> None:
    for index in range(7):
        ok(api.post("lead/", json={"name": f"L{index}"}))
    seen: list[str] = []
    params: dict[str, str] = {"object_type": "lead", "action": "created", "_limit": "3"}
    page = ok(api.get("event/", params=params))
    assert page["cursor_previous"] is None
    while True:
        seen += [e["data"]["name"] for e in page["data"]]
        if page["cursor_next"] is None:
            break
        page = ok(api.get("event/", params={**params, "_cursor": page["cursor_next"]}))
    assert seen == [f"L{index}" for index in reversed(range(7))]
    previous = ok(api.get("event/", params={**params, "_cursor": page["cursor_previous"]}))
    assert [e["data"]["name"] for e in previous["data"]] == ["L3", "L2", "L1"]


@pytest.mark.sandbox_only("assumes an empty organisation")
def test_date_updated_filters_and_single_event(api: httpx.Client) -> None:
    ok(api.post("lead/", json={"name": "A"}))
    events = _events(api, date_updated__gte="2000-01-01")
    assert len(events) == 1
    assert _events(api, date_updated__lt="2000-01-01") == []
    assert ok(api.get(f"event/{events[0]['id']}/"))["id"] == events[0]["id"]
    assert api.get("event/ev_missing/").status_code == 404
