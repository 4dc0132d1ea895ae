"""Contract: tasks (§6.8) and opportunities (§6.9)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.fixtures.api import api, ok
from tests.sandbox.live_target import ContractTarget

__all__ = ["api"]


pytestmark = pytest.mark.live


@pytest.fixture
def lead(api: httpx.Client, target: ContractTarget) -> dict[str, Any]:
    return dict(ok(api.post("lead/", json={"name": target.name("Acme")})))


def _status(api: httpx.Client, kind: str) -> dict[str, Any]:
    statuses = ok(api.get("status/opportunity/"))["data"]
    return dict(next(s for s in statuses if s["type"] == kind))


def test_task_accepts_a_date_or_a_datetime(api: httpx.Client, lead: dict[str, Any]) -> None:
    dated = ok(api.post("task/", json={"lead_id": lead["id"], "text": "a", "date": "2026-03-10"}))
    timed = ok(
        api.post("task/", json={"lead_id": lead["id"], "text": "b", "date": "2026-03-10T15:00:00Z"})
    )
    assert re.match(r"^task_[0-9A-Za-z]{43}$", dated["id"])
    assert (dated["date"], dated["due_date"], dated["is_dateless"]) == ("2026-03-10",) * 2 + (
        False,
    )
    assert timed["date"] == "2026-03-10T15:00:00.000000+00:00"
    ordered = ok(api.get("task/", params={"_order_by": "date"}))["data"]
    assert [t["text"] for t in ordered] == ["a", "b"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "x"}, "lead_id"),
        ({"lead_id": "lead_nope"}, "lead_id"),
        ({"lead_id": "LEAD", "_type": "email_followup"}, "_type"),
        ({"lead_id": "LEAD", "date": "next tuesday"}, "date"),
        ({"lead_id": "LEAD", "assigned_to": "user_nope"}, "assigned_to"),
    ],
)
def test_task_validation(
    api: httpx.Client, lead: dict[str, Any], payload: dict[str, str], field: str
) -> None:
    body = {key: lead["id"] if value == "LEAD" else value for key, value in payload.items()}
    response = api.post("task/", json=body)
    assert response.status_code == 400
    assert list(response.json()["field-errors"]) == [field]


def test_task_views_and_filters(
    api: httpx.Client, lead: dict[str, Any], sandbox: CloseSandbox
) -> None:
    sandbox.clock.set(datetime(2026, 3, 10, 12, tzinfo=UTC))
    for text, date in (("today", "2026-03-10"), ("later", "2026-03-20")):
        ok(api.post("task/", json={"lead_id": lead["id"], "text": text, "date": date}))
    done = ok(api.post("task/", json={"lead_id": lead["id"], "text": "done", "date": "2026-03-01"}))
    completed = ok(api.put(f"task/{done['id']}/", json={"is_complete": True}))
    assert completed["view"] == "archive"

    def texts(**params: str) -> list[str]:
        return [t["text"] for t in ok(api.get("task/", params=params))["data"]]

    assert texts(view="inbox") == ["today"]
    assert texts(view="future") == ["later"]
    assert texts(view="archive") == ["done"]
    assert texts(is_complete="false", date__gte="2026-03-15") == ["later"]
    assert texts(_type="outgoing_call") == []
    assert len(texts(_type="all")) == 3


def test_completing_a_task_logs_a_task_completed_activity(
    api: httpx.Client, lead: dict[str, Any]
) -> None:
    task = ok(api.post("task/", json={"lead_id": lead["id"], "text": "Call back"}))
    ok(api.put(f"task/{task['id']}/", json={"is_complete": True}))
    activities = ok(api.get("activity/", params={"lead_id": lead["id"]}))["data"]
    assert [(a["_type"], a["task_id"]) for a in activities] == [("TaskCompleted", task["id"])]


def test_lead_embeds_only_incomplete_tasks(api: httpx.Client, lead: dict[str, Any]) -> None:
    open_task = ok(api.post("task/", json={"lead_id": lead["id"], "text": "open"}))
    closed = ok(api.post("task/", json={"lead_id": lead["id"], "text": "x", "is_complete": True}))
    tasks = ok(api.get(f"lead/{lead['id']}/"))["tasks"]
    assert [t["id"] for t in tasks] == [open_task["id"]]
    assert ok(api.delete(f"task/{closed['id']}/")) == {}


def test_opportunity_money_fields(api: httpx.Client, lead: dict[str, Any]) -> None:
    oppo = ok(
        api.post(
            "opportunity/",
            json={
                "lead_id": lead["id"],
                "value": 50000,
                "confidence": 50,
                "value_period": "monthly",
            },
        )
    )
    assert re.match(r"^oppo_[0-9A-Za-z]{43}$", oppo["id"])
    assert oppo["value_formatted"] == "$500"
    assert (oppo["expected_value"], oppo["annualized_value"]) == (25000, 600000)
    assert oppo["status_id"] == _status(api, "active")["id"]
    assert oppo["pipeline_id"].startswith("pipe_")
    assert len(oppo["pipeline_id"]) == 27


def test_moving_to_won_sets_date_won_and_leaving_keeps_it(
    api: httpx.Client, lead: dict[str, Any], sandbox: CloseSandbox
) -> None:
    sandbox.clock.set(datetime(2026, 4, 2, 9, tzinfo=UTC))
    oppo = ok(api.post("opportunity/", json={"lead_id": lead["id"], "value": 100}))
    won = ok(api.put(f"opportunity/{oppo['id']}/", json={"status_id": _status(api, "won")["id"]}))
    assert (won["status_type"], won["date_won"]) == ("won", "2026-04-02")
    back = ok(
        api.put(f"opportunity/{oppo['id']}/", json={"status_id": _status(api, "active")["id"]})
    )
    assert back["date_won"] == "2026-04-02"


@pytest.mark.parametrize(
    ("field", "value"),
    [("value", 12.5), ("confidence", 101), ("value_period", "weekly"), ("status_id", "stat_x")],
)
def test_opportunity_validation(
    api: httpx.Client, lead: dict[str, Any], field: str, value: object
) -> None:
    response = api.post("opportunity/", json={"lead_id": lead["id"], field: value})
    assert response.status_code == 400
    assert field in response.json()["field-errors"]


def test_opportunity_without_lead_creates_an_untitled_lead(
    api: httpx.Client, sandbox: CloseSandbox
) -> None:
    oppo = ok(api.post("opportunity/", json={"value": 100}))
    assert sandbox.state.leads[oppo["lead_id"]]["name"] == "Untitled"


@pytest.mark.sandbox_only("counts opportunities across the whole organisation")
def test_opportunity_list_filters_and_totals(api: httpx.Client, lead: dict[str, Any]) -> None:
    won = _status(api, "won")["id"]
    api.post("opportunity/", json={"lead_id": lead["id"], "value": 1000, "status_id": won})
    api.post("opportunity/", json={"lead_id": lead["id"], "value": 500, "value_period": "annual"})
    page = ok(api.get("opportunity/", params={"status_type": "won"}))
    assert [o["value"] for o in page["data"]] == [1000]
    assert page["total_results"] == 1
    everything = ok(api.get("opportunity/", params={"_order_by": "-value", "_limit": 1}))
    assert [o["value"] for o in everything["data"]] == [1000]
    assert (everything["total_results"], everything["has_more"]) == (2, True)
    assert everything["total_value_annualized"] == 1500
    assert everything["count_by_value_period"] == {"one_time": 1, "monthly": 0, "annual": 1}
    today = ok(api.get("opportunity/", params={"date_won__gte": "2000-01-01"}))
    assert today["total_results"] == 1


def test_opportunity_status_change_logs_an_activity(
    api: httpx.Client, lead: dict[str, Any]
) -> None:
    oppo = ok(api.post("opportunity/", json={"lead_id": lead["id"], "value": 100}))
    ok(api.put(f"opportunity/{oppo['id']}/", json={"status_id": _status(api, "lost")["id"]}))
    changes = ok(api.get("activity/", params={"lead_id": lead["id"]}))["data"]
    assert [(a["_type"], a["opportunity_id"], a["new_status_type"]) for a in changes] == [
        ("OpportunityStatusChange", oppo["id"], "lost")
    ]


def test_bulk_update_changes_matching_tasks_only(
    api: httpx.Client, lead: dict[str, Any], sandbox: CloseSandbox
) -> None:
    ids = [
        ok(api.post("task/", json={"lead_id": lead["id"], "text": f"t{i}"}))["id"] for i in range(3)
    ]
    result = ok(api.put("task/", params={"id__in": ",".join(ids[:2])}, json={"is_complete": True}))
    assert result == {"count": 2}
    assert [sandbox.state.tasks[i]["is_complete"] for i in ids] == [True, True, False]
    refused = api.put("task/", params={"id": ids[2]}, json={"text": "renamed"})
    assert refused.status_code == 400
    assert list(refused.json()["field-errors"]) == ["text"]


@pytest.mark.sandbox_only("relies on the sandbox's default pipeline")
def test_pipelines_list_their_statuses(api: httpx.Client) -> None:
    pipelines = ok(api.get("pipeline/"))["data"]
    statuses = ok(api.get("status/opportunity/"))["data"]
    assert [p["name"] for p in pipelines] == ["Sales"]
    assert [s["id"] for s in pipelines[0]["statuses"]] == [s["id"] for s in statuses]
