"""List operators against the sandbox over real HTTP, through the real client and the engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from airflow_provider_close.client import ClosePaginationLimitError, ClosePayloadError
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.links import LEAD_ID_XCOM_KEY
from airflow_provider_close.operators.reads import (
    CloseListActivitiesOperator,
    CloseListContactsOperator,
    CloseListCustomFieldsOperator,
    CloseListLeadsOperator,
    CloseListLeadStatusesOperator,
    CloseListNotesOperator,
    CloseListOperator,
    CloseListOpportunitiesOperator,
    CloseListOpportunityStatusesOperator,
    CloseListTasksOperator,
    CloseListUsersOperator,
)
from airflow_provider_close.sandbox import CloseSandbox
from tests.operators.fail_now import fails_now
from tests.operators.fakes import FakeTaskInstance as FakeTI

BASE = datetime(2026, 1, 1, tzinfo=UTC)


def _run(op: CloseListOperator, ti: FakeTI | None = None) -> Any:
    return op.execute({"ti": ti or FakeTI()})  # type: ignore[arg-type]


@pytest.fixture
def hook(sandbox: CloseSandbox, close_conn: Callable[..., str]) -> CloseHook:
    return CloseHook()


@pytest.fixture
def two_leads(hook: CloseHook) -> list[dict[str, Any]]:
    return [
        hook.create_lead({"name": "Acme", "contacts": [{"name": "Ann"}, {"name": "Ben"}]}),
        hook.create_lead({"name": "Globex", "contacts": [{"name": "Cleo"}]}),
    ]


def _insert_calls(sandbox: CloseSandbox, count: int, **fields: Any) -> list[str]:
    return [
        sandbox.state.insert_activity(
            "call", date_created=BASE + timedelta(seconds=i // 2), **fields
        )["id"]
        for i in range(count)
    ]


def test_contacts_of_a_lead(two_leads: list[dict[str, Any]], sandbox: CloseSandbox) -> None:
    ti = FakeTI()
    lead_id = two_leads[0]["id"]
    rows = _run(CloseListContactsOperator(task_id="l", lead_id=lead_id), ti)
    assert sorted(r["name"] for r in rows) == ["Ann", "Ben"]
    assert ti.pushed == {LEAD_ID_XCOM_KEY: lead_id}
    # One lead's contacts come from the immediate plain list; all contacts from search,
    # which trails writes (§9b).
    assert {r.path for r in sandbox.requests if r.method == "POST"} <= {"/lead/"}
    assert _run(CloseListContactsOperator(task_id="l")) == []
    sandbox.clock.advance(sandbox.search_lag)
    assert len(_run(CloseListContactsOperator(task_id="l"))) == 3


def test_leads_by_query(two_leads: list[dict[str, Any]], sandbox: CloseSandbox) -> None:
    sandbox.clock.advance(sandbox.search_lag)  # the query search trails writes
    rows = _run(CloseListLeadsOperator(task_id="l", query='name:"Globex"'))
    assert [r["id"] for r in rows] == [two_leads[1]["id"]]


def test_opportunities_by_lead_and_status(
    two_leads: list[dict[str, Any]], hook: CloseHook, sandbox: CloseSandbox
) -> None:
    won = next(s for s in sandbox.state.opportunity_statuses.values() if s["type"] == "won")
    acme, globex = (lead["id"] for lead in two_leads)
    hook.create_opportunity({"lead_id": acme, "value": 100})
    won_one = hook.create_opportunity({"lead_id": acme, "value": 200, "status_id": won["id"]})
    hook.create_opportunity({"lead_id": globex, "value": 300, "status_id": won["id"]})
    rows = _run(CloseListOpportunitiesOperator(task_id="l", lead_id=acme, status_type="won"))
    assert [r["id"] for r in rows] == [won_one["id"]]
    assert len(_run(CloseListOpportunitiesOperator(task_id="l", status_id=won["id"]))) == 2


def test_tasks_every_type_and_by_completion(
    two_leads: list[dict[str, Any]], hook: CloseHook
) -> None:
    acme = two_leads[0]["id"]
    open_task = hook.create_task({"_type": "lead", "lead_id": acme, "text": "Call"})
    done = hook.create_task({"_type": "lead", "lead_id": acme, "text": "Mail"})
    hook.update_task(done["id"], {"is_complete": True})
    rows = _run(CloseListTasksOperator(task_id="l", lead_id=acme, is_complete=False))
    assert [r["id"] for r in rows] == [open_task["id"]]
    assert len(_run(CloseListTasksOperator(task_id="l", lead_id=acme))) == 2


def test_activities_by_user_route_to_the_typed_list(
    two_leads: list[dict[str, Any]], sandbox: CloseSandbox
) -> None:
    me = sandbox.state.me["id"]
    acme, globex = (lead["id"] for lead in two_leads)
    calls = _insert_calls(sandbox, 2, lead_id=acme) + _insert_calls(sandbox, 1, lead_id=globex)
    sandbox.state.insert_activity("note", lead_id=acme, note="x", date_created=BASE)
    op = CloseListActivitiesOperator(task_id="l", user_id=me, filters={"_type": "Call"})
    rows = _run(op)
    assert sorted(r["id"] for r in rows) == sorted(calls)
    assert {r.path for r in sandbox.requests if r.method == "GET"} == {"/activity/call/"}
    every = _run(CloseListActivitiesOperator(task_id="l", lead_id=acme))
    assert len(every) == 3


def test_notes_of_a_lead_in_a_window(
    two_leads: list[dict[str, Any]], sandbox: CloseSandbox
) -> None:
    acme = two_leads[0]["id"]
    for day in range(4):
        sandbox.state.insert_activity(
            "note", lead_id=acme, note=f"n{day}", date_created=BASE + timedelta(days=day)
        )
    op = CloseListNotesOperator(
        task_id="l", lead_id=acme, start="2026-01-02", end=BASE + timedelta(days=3)
    )
    assert [r["note"] for r in _run(op)] == ["n1", "n2"]


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: CloseListUsersOperator(task_id="l"), lambda sb: len(sb.state.users)),
        (
            lambda: CloseListLeadStatusesOperator(task_id="l"),
            lambda sb: len(sb.state.lead_statuses),
        ),
        (
            lambda: CloseListOpportunityStatusesOperator(task_id="l"),
            lambda sb: len(sb.state.opportunity_statuses),
        ),
        (
            lambda: CloseListCustomFieldsOperator(task_id="l", object_type="lead"),
            lambda sb: len(sb.state.custom_fields["lead"]),
        ),
    ],
    ids=["users", "lead-statuses", "opportunity-statuses", "custom-fields"],
)
def test_organisation_lists(
    make: Callable[[], CloseListOperator],
    expected: Callable[[CloseSandbox], int],
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
) -> None:
    rows = _run(make())
    assert len(rows) == expected(seeded_sandbox) > 0
    assert all(isinstance(row.get("id"), str) for row in rows)


def test_list_deeper_than_max_skip_comes_back_complete(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    sandbox.set_limits(max_skip={"activity": 300})
    calls = _insert_calls(sandbox, 750)
    rows = _run(CloseListActivitiesOperator(task_id="l", activity_type="call", max_items=750))
    assert len(rows) == 750
    assert sorted(r["id"] for r in rows) == sorted(calls)
    # Only the rows already read at the last date (two share each date here) are skipped.
    assert all(r.status == 200 for r in sandbox.requests)
    assert {parse_qs(r.query).get("_skip", ["0"])[0] for r in sandbox.requests} <= {"0", "1"}


def test_bound_exceeded_fails_loudly(sandbox: CloseSandbox, close_conn: Callable[..., str]) -> None:
    _insert_calls(sandbox, 11)
    op = CloseListActivitiesOperator(task_id="l", activity_type="call", max_items="10")
    with pytest.raises(ClosePaginationLimitError, match="max_items=10"):
        _run(op)
    exact = CloseListActivitiesOperator(task_id="l", activity_type="call", max_items=11)
    assert len(_run(exact)) == 11


@pytest.mark.parametrize("as_url", [False, True], ids=["local-path", "file-url"])
def test_list_to_file_streams_every_row(
    as_url: bool, tmp_path: Path, sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    sandbox.set_limits(max_skip={"activity": 300})
    calls = _insert_calls(sandbox, 650)
    target = tmp_path / "out" / "calls.jsonl"
    output = f"file://{target}" if as_url else str(target)
    ti = FakeTI()
    op = CloseListActivitiesOperator(
        task_id="l", activity_type="call", output_path=output, max_items=1
    )
    result = _run(op, ti)
    assert result["path"] == output
    assert result["count"] == 650
    assert result["resource"] == "activity.call"
    assert result["windows"] == 1
    lines = target.read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(calls)
    assert [p.name for p in target.parent.iterdir()] == ["calls.jsonl"]
    assert ti.pushed == {}


def test_unwindowed_list_past_max_skip_fails_and_leaves_no_file(
    tmp_path: Path, sandbox: CloseSandbox, hook: CloseHook
) -> None:
    # A lead query with a sort of its own is paged by offset only (a query without one is
    # walked by keyset on date_created, below); Close's page maximum is learned.
    sandbox.set_limits(max_skip={"lead": 8}, max_limit={"lead": 4})
    for n in range(14):
        hook.create_lead({"name": f"Acme {n}"})
    sandbox.clock.advance(sandbox.search_lag)  # the query search trails writes
    target = tmp_path / "leads.jsonl"
    op = CloseListLeadsOperator(task_id="l", query="acme sort:name", output_path=str(target))
    with pytest.raises(Exception, match="maximum skip"):
        _run(op)
    assert list(tmp_path.iterdir()) == []
    keyset = CloseListLeadsOperator(task_id="k", query="acme", output_path=str(target))
    _run(keyset)  # the keyset walk's _skip never grows past the ties at one date
    assert len(target.read_text().splitlines()) == 14


LEAD = "lead_" + "a" * 43


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: CloseListOperator(task_id="l", resource="leads"), "resource"),
        (
            lambda: CloseListContactsOperator(task_id="l", lead_id="lead_1"),
            "contact.filters.lead_id",
        ),
        (
            lambda: CloseListActivitiesOperator(task_id="l", user_id="user_" + "b" * 43),
            "activity.filters.user_id",
        ),
        (
            lambda: CloseListActivitiesOperator(task_id="l", activity_type="fax"),
            "resource",
        ),
        (
            lambda: CloseListOpportunitiesOperator(task_id="l", status_type="open"),
            "opportunity.filters.status_type",
        ),
        (
            lambda: CloseListTasksOperator(task_id="l", is_complete="perhaps"),
            "task.filters.is_complete",
        ),
        (lambda: CloseListUsersOperator(task_id="l", start="2026-01-01"), "user.start"),
        (
            lambda: CloseListNotesOperator(task_id="l", start="2026-02-01", end="2026-01-01"),
            "activity.note.end",
        ),
        (lambda: CloseListUsersOperator(task_id="l", max_items=0), "max_items"),
        (lambda: CloseListUsersOperator(task_id="l", max_items="lots"), "max_items"),
        (lambda: CloseListUsersOperator(task_id="l", output_path="  "), "output_path"),
        (
            lambda: CloseListCustomFieldsOperator(task_id="l", object_type="task"),
            "resource",
        ),
    ],
    ids=[
        "unknown-resource",
        "bad-lead-id",
        "activity-user-without-lead",
        "unknown-activity-type",
        "bad-status-type",
        "bad-bool",
        "window-on-unwindowed",
        "inverted-window",
        "zero-bound",
        "text-bound",
        "blank-path",
        "custom-fields-of-tasks",
    ],
)
def test_bad_inputs_refused_before_any_request(
    make: Callable[[], CloseListOperator],
    field: str,
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
) -> None:
    with fails_now(ClosePayloadError) as caught:
        _run(make())
    assert caught.value.field == field
    assert sandbox.requests == []


def test_file_mode_memory_stays_flat(
    tmp_path: Path, sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    import tracemalloc

    def peak(op: CloseListOperator) -> int:
        tracemalloc.start()
        try:
            _run(op)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def to_file() -> CloseListOperator:
        target = str(tmp_path / "calls.jsonl")
        return CloseListActivitiesOperator(task_id="f", activity_type="call", output_path=target)

    _insert_calls(sandbox, 1500, note="x" * 200)
    peak(to_file())  # warm up imports and connections before measuring
    small = peak(to_file())
    _insert_calls(sandbox, 4500, note="x" * 200)
    large = peak(to_file())
    to_xcom = CloseListActivitiesOperator(task_id="x", activity_type="call", max_items=6000)
    everything = peak(to_xcom)
    print(f"peak bytes: file 1500={small} file 6000={large} xcom 6000={everything}")
    assert large < small * 1.5  # four times the rows, about the same memory
    assert everything > large * 3  # while holding the rows grows with them


def test_opportunities_and_tasks_in_a_created_window(
    two_leads: list[dict[str, Any]], hook: CloseHook, sandbox: CloseSandbox
) -> None:
    acme = two_leads[0]["id"]
    sandbox.clock.set(BASE)
    early_opp = hook.create_opportunity({"lead_id": acme, "value": 1})
    early_task = hook.create_task({"_type": "lead", "lead_id": acme, "text": "early"})
    sandbox.clock.set(BASE + timedelta(days=2))
    hook.create_opportunity({"lead_id": acme, "value": 2})
    hook.create_task({"_type": "lead", "lead_id": acme, "text": "late"})
    window = {"start": BASE, "end": BASE + timedelta(days=1)}
    opps = _run(CloseListOpportunitiesOperator(task_id="o", lead_id=acme, **window))
    tasks = _run(CloseListTasksOperator(task_id="t", lead_id=acme, **window))
    assert [o["id"] for o in opps] == [early_opp["id"]]
    assert [t["id"] for t in tasks] == [early_task["id"]]


def test_fields_slim_the_xcom_but_keep_the_walk_working(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    sandbox.set_limits(max_skip={"activity": 100})
    calls = _insert_calls(sandbox, 250, note="long text " * 20)
    op = CloseListActivitiesOperator(task_id="l", activity_type="call", fields=["lead_id"])
    rows = _run(op)
    assert sorted(r["id"] for r in rows) == sorted(calls)
    assert {frozenset(r) for r in rows} == {frozenset({"id", "date_created", "lead_id"})}


def test_named_arguments_are_templated() -> None:
    op = CloseListActivitiesOperator(
        task_id="l", activity_type="{{ params.t }}", lead_id="{{ params.lead }}", start="{{ ds }}"
    )
    op.render_template_fields({"params": {"t": "call", "lead": "lead_x"}, "ds": "2026-01-01"})  # type: ignore[arg-type]
    assert (op.resource, op.filters, op.start) == (
        "activity.call",
        {"lead_id": "lead_x"},
        "2026-01-01",
    )
