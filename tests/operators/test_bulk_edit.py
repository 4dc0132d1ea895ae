"""CloseBulkEditOperator against the sandbox: dry run, applied edits (status, custom field set
and clear) with their events, the in-worker wait, idempotent retries and refused input."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.operators.bulk_edit import CloseBulkEditError, CloseBulkEditOperator
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.bulk_actions import create_bulk_edit
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.faults import Fault
from airflow_provider_close.sandbox.models.custom_fields import create_custom_field
from airflow_provider_close.sandbox.models.leads import create_lead
from tests.operators.fakes import FakeTaskInstance
from tests.settle_clock import SandboxSettleClock

ACME = {"type": "text", "value": "acme"}
BULK_PATH = "/bulk_action/edit/"


@pytest.fixture(autouse=True)
def wait_clock(
    settle_clock: SandboxSettleClock, monkeypatch: pytest.MonkeyPatch
) -> SandboxSettleClock:
    """The in-worker wait advances the sandbox clock instead of sleeping."""
    monkeypatch.setattr(CloseBulkEditOperator, "wait_clock", settle_clock)
    return settle_clock


@pytest.fixture
def leads(sandbox: CloseSandbox, close_conn: Any) -> dict[str, str]:
    """Two Acme leads and one other, indexed for search."""
    meta = RequestMeta("POST", "/api/v1/lead/")
    names = ("Acme One", "Acme Two", "Globex")
    ids = {name: create_lead(sandbox.state, {"name": name}, meta)["id"] for name in names}
    sandbox.clock.advance(sandbox.search_lag)
    return ids


def _status(sandbox: CloseSandbox, label: str) -> str:
    return next(s["id"] for s in sandbox.state.lead_statuses.values() if s["label"] == label)


def _posts(sandbox: CloseSandbox) -> int:
    return sum(1 for r in sandbox.requests if r.method == "POST" and r.path == BULK_PATH)


def _op(**kwargs: Any) -> CloseBulkEditOperator:
    return CloseBulkEditOperator(task_id="edit", query=ACME, deferrable=False, **kwargs)


def test_dry_run_counts_the_matching_leads_and_sends_nothing(
    sandbox: CloseSandbox, leads: dict[str, str], context: dict[str, Any]
) -> None:
    won = _status(sandbox, "Qualified")
    result = _op(edit_type="set_lead_status", lead_status_id=won, dry_run=True).execute(context)
    assert result is not None
    assert result["action"] == "dry_run"
    assert result["matched_leads"] == 2
    assert result["bulk_action_id"] is None
    assert _posts(sandbox) == 0
    assert sandbox.state.bulk_edits == {}


def test_results_limit_caps_the_dry_run_count(
    sandbox: CloseSandbox, leads: dict[str, str], context: dict[str, Any]
) -> None:
    won = _status(sandbox, "Qualified")
    op = _op(edit_type="set_lead_status", lead_status_id=won, dry_run=True, results_limit=1)
    result = op.execute(context)
    assert result is not None
    assert result["matched_leads"] == 1


def test_set_lead_status_is_applied_by_close_when_done(
    sandbox: CloseSandbox,
    leads: dict[str, str],
    context: dict[str, Any],
    wait_clock: SandboxSettleClock,
) -> None:
    won = _status(sandbox, "Qualified")
    before = {lead_id: dict(sandbox.state.leads[lead_id]) for lead_id in leads.values()}
    result = _op(edit_type="set_lead_status", lead_status_id=won, poll_interval=4).execute(context)
    assert result is not None
    assert result["action"] == "created"
    assert result["status"] == "done"
    assert (result["n_objects"], result["n_objects_processed"], result["matched_leads"]) == (
        2,
        2,
        2,
    )
    assert sum(wait_clock.slept) >= sandbox.state.bulk_action_seconds  # waited for Close
    for name in ("Acme One", "Acme Two"):
        lead = sandbox.state.leads[leads[name]]
        assert lead["status_id"] == won
        assert lead["date_updated"] > before[leads[name]]["date_updated"]
    assert sandbox.state.leads[leads["Globex"]] == before[leads["Globex"]]
    events = [
        e
        for e in sandbox.state.events.values()
        if e["object_type"] == "lead" and e["action"] == "updated"
    ]
    assert {e["object_id"] for e in events} == {leads["Acme One"], leads["Acme Two"]}
    assert all(e["meta"]["bulk_action_id"] == result["bulk_action_id"] for e in events)
    assert all("status_id" in e["changed_fields"] for e in events)
    changes = [a for a in sandbox.state.activities.values() if a["_type"] == "LeadStatusChange"]
    assert len(changes) == 2


def test_custom_field_set_then_cleared(
    sandbox: CloseSandbox, leads: dict[str, str], context: dict[str, Any]
) -> None:
    field = create_custom_field(sandbox.state, "lead", {"name": "Tier", "type": "text"})
    key = f"custom.{field['id']}"
    _op(edit_type="set_custom_field", custom_field_id=field["id"], value="gold").execute(context)
    assert [sandbox.state.leads[leads[n]].get(key) for n in leads] == ["gold", "gold", None]

    sandbox.clock.advance(sandbox.search_lag)
    _op(edit_type="clear_custom_field", custom_field_id=field["id"]).execute(context)
    assert all(key not in sandbox.state.leads[lead_id] for lead_id in leads.values())


def test_multi_value_add_keeps_the_existing_values(
    sandbox: CloseSandbox, leads: dict[str, str], context: dict[str, Any]
) -> None:
    field = create_custom_field(
        sandbox.state,
        "lead",
        {"name": "Tags", "type": "choices", "choices": ["a", "b"], "accepts_multiple_values": True},
    )
    key = f"custom.{field['id']}"
    lead = sandbox.state.leads[leads["Acme One"]]
    sandbox.state.change("lead", {**lead, key: ["a"]})
    sandbox.clock.advance(sandbox.search_lag)
    op = _op(
        edit_type="set_custom_field", custom_field_id=field["id"], values=["b"], operation="add"
    )
    op.execute(context)
    assert sandbox.state.leads[leads["Acme One"]][key] == ["a", "b"]
    assert sandbox.state.leads[leads["Acme Two"]][key] == ["b"]


def test_a_lost_start_is_found_not_sent_again(
    sandbox: CloseSandbox, leads: dict[str, str], ti: FakeTaskInstance
) -> None:
    won = _status(sandbox, "Qualified")
    sandbox.add_fault(Fault(kind="drop_after", method="POST", path=BULK_PATH, times=1))
    result = _op(edit_type="set_lead_status", lead_status_id=won).execute({"ti": ti})
    assert result is not None
    assert result["action"] == "found_existing"
    assert len(sandbox.state.bulk_edits) == 1
    assert _posts(sandbox) == 1


def test_an_airflow_retry_finds_the_earlier_tries_bulk_edit(
    sandbox: CloseSandbox, leads: dict[str, str], ti: FakeTaskInstance
) -> None:
    won = _status(sandbox, "Qualified")
    first = _op(edit_type="set_lead_status", lead_status_id=won).execute({"ti": ti})
    ti.try_number = 2
    retry = _op(edit_type="set_lead_status", lead_status_id=won).execute({"ti": ti})
    assert first is not None
    assert retry is not None
    assert retry["action"] == "found_existing"
    assert retry["bulk_action_id"] == first["bulk_action_id"]
    assert _posts(sandbox) == 1
    # A different edit is not mistaken for the earlier one.
    other = _status(sandbox, "Bad Fit")
    third = _op(edit_type="set_lead_status", lead_status_id=other).execute({"ti": ti})
    assert third is not None
    assert third["action"] == "created"
    assert _posts(sandbox) == 2


def test_a_first_try_does_not_look_for_an_earlier_bulk_edit(
    sandbox: CloseSandbox, leads: dict[str, str], context: dict[str, Any]
) -> None:
    won = _status(sandbox, "Qualified")
    _op(edit_type="set_lead_status", lead_status_id=won).execute(context)
    sandbox.clock.advance(sandbox.search_lag)
    again = _op(edit_type="set_lead_status", lead_status_id=won).execute(context)
    assert again is not None
    assert again["action"] == "created"  # a new run's edit is its own
    assert _posts(sandbox) == 2


@pytest.mark.parametrize(
    ("kwargs", "field", "allowed"),
    [
        ({"edit_type": "set_status"}, "bulk_edit.edit_type", "'set_lead_status' | "),
        ({"edit_type": "set_lead_status"}, "bulk_edit.lead_status_id", "'stat_' + 43"),
        (
            {"edit_type": "set_lead_status", "lead_status_id": "stat_" + "a" * 43, "value": 1},
            "bulk_edit.value",
            "nothing for type 'set_lead_status'",
        ),
        (
            {"edit_type": "set_custom_field", "custom_field_id": "cf_x"},
            "bulk_edit.custom_field_id",
            "'cf_'",
        ),
        (
            {"edit_type": "set_custom_field", "custom_field_id": "cf_" + "a" * 43},
            "bulk_edit.value",
            "exactly one of value",
        ),
        (
            {
                "edit_type": "set_custom_field",
                "custom_field_id": "cf_" + "a" * 43,
                "values": ["x"],
                "operation": "append",
            },
            "bulk_edit.operation",
            "'replace' | 'add' | 'remove'",
        ),
        (
            {"edit_type": "clear_custom_field", "custom_field_id": "cf_" + "a" * 43, "value": "x"},
            "bulk_edit.value",
            "nothing for type 'clear_custom_field'",
        ),
        (
            {"edit_type": "clear_custom_field", "custom_field_id": "cf_" + "a" * 43, "query": {}},
            "bulk_edit.query",
            "Advanced Filtering query",
        ),
        (
            {
                "edit_type": "clear_custom_field",
                "custom_field_id": "cf_" + "a" * 43,
                "results_limit": 0,
            },
            "bulk_edit.results_limit",
            "a positive integer",
        ),
    ],
)
@pytest.mark.usefixtures("close_conn")
def test_bad_input_fails_now_before_any_request(
    sandbox: CloseSandbox,
    context: dict[str, Any],
    kwargs: dict[str, Any],
    field: str,
    allowed: str,
) -> None:
    query = kwargs.pop("query", ACME)
    op = CloseBulkEditOperator(task_id="edit", query=query, deferrable=False, **kwargs)
    with pytest.raises(AirflowFailException, match=f"^ClosePayloadError: {field}: got ") as info:
        op.execute(context)
    assert allowed in str(info.value)
    assert sandbox.requests == []


def test_close_refusing_the_edit_fails_now(
    sandbox: CloseSandbox, leads: dict[str, str], context: dict[str, Any]
) -> None:
    unknown = "stat_" + "a" * 43
    with pytest.raises(AirflowFailException, match="lead_status_id"):
        _op(edit_type="set_lead_status", lead_status_id=unknown).execute(context)
    assert sandbox.state.bulk_edits == {}


def test_a_failed_event_raises() -> None:
    op = _op(edit_type="set_lead_status", lead_status_id="stat_" + "a" * 43)
    with pytest.raises(CloseBulkEditError, match="paused"):
        op.execute_complete({}, {"status": "error", "message": "bulkedit_x paused"}, "bulkedit_x")


def test_sandbox_lifecycle_runs_on_its_clock(sandbox: CloseSandbox, leads: dict[str, str]) -> None:
    sandbox.clock.set(sandbox.clock.now())
    won = _status(sandbox, "Qualified")
    body = {"type": "set_lead_status", "lead_status_id": won, "s_query": ACME}
    action = create_bulk_edit(sandbox.state, body, "req_x")
    assert action["status"] == "created"
    from airflow_provider_close.sandbox.bulk_actions import advance_bulk_edits, bulk_edit_view

    sandbox.clock.advance(1)
    advance_bulk_edits(sandbox.state)
    assert bulk_edit_view(sandbox.state, action["id"])["status"] == "processing"
    assert sandbox.state.leads[leads["Acme One"]]["status_id"] != won  # not yet
    sandbox.clock.advance(sandbox.state.bulk_action_seconds)
    advance_bulk_edits(sandbox.state)
    view = bulk_edit_view(sandbox.state, action["id"])
    assert (view["status"], view["n_objects_processed"]) == ("done", 2)
    assert sandbox.state.leads[leads["Acme One"]]["status_id"] == won


def test_leads_already_holding_the_value_are_not_written(
    sandbox: CloseSandbox, leads: dict[str, str], context: dict[str, Any]
) -> None:
    first = next(iter(sandbox.state.lead_statuses))  # every new lead's status
    before = dict(sandbox.state.leads[leads["Acme One"]])
    events = len(sandbox.state.events)
    result = _op(edit_type="set_lead_status", lead_status_id=first).execute(context)
    assert result is not None
    assert result["n_objects"] == 2  # chosen by Close, but nothing to change
    assert sandbox.state.leads[leads["Acme One"]] == before
    assert len(sandbox.state.events) == events
