"""Creates stay single under lost responses and Airflow retries, with search lagging writes.

``drop_after`` makes the sandbox apply the POST and then close the connection, so the client
raises ``CloseUnknownOutcomeError``; the operator must find the object instead of sending it
again. A second run with ``try_number=2`` (Airflow's retry) must also find it. The sandbox's
search index trails writes by a minute here (close-api.md §9b), so a lead is found only once
the settle window has passed; the wait runs on the sandbox clock (``settle_clock``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from airflow_provider_close.client import CloseUnknownOutcomeError
from airflow_provider_close.client.errors import ClosePayloadError, CloseServerError
from airflow_provider_close.operators.activities import (
    CloseCreateCallOperator,
    CloseCreateSmsOperator,
)
from airflow_provider_close.operators.contacts import CloseCreateContactOperator
from airflow_provider_close.operators.emails import CloseCreateEmailOperator
from airflow_provider_close.operators.leads import CloseCreateLeadOperator
from airflow_provider_close.operators.notes import CloseCreateNoteOperator
from airflow_provider_close.operators.opportunities import CloseCreateOpportunityOperator
from airflow_provider_close.operators.tasks import CloseCreateTaskOperator
from airflow_provider_close.sandbox import Fault

pytestmark = pytest.mark.usefixtures("close_conn")

#: Close's undocumented search lag, as the issue asks: a minute.
LAG = 60.0


@pytest.fixture(autouse=True)
def _minute_lag(sandbox):
    sandbox.set_search_lag(LAG)


def _lead_id(sandbox) -> str:
    return next(iter(sandbox.state.leads))


def _new_lead(sandbox):
    return CloseCreateLeadOperator(task_id="lead", name="Once Only Ltd")


def _call(sandbox):
    return CloseCreateCallOperator(
        task_id="call",
        lead_id=_lead_id(sandbox),
        direction="inbound",
        duration=42,
        note="Asked for a quote",
        activity_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
    )


def _sms(sandbox):
    return CloseCreateSmsOperator(
        task_id="sms",
        mode="log",
        status="inbox",
        lead_id=_lead_id(sandbox),
        remote_phone="+14155550123",
        text="Once-only text",
    )


def _count_sms(sandbox) -> int:
    return sum(1 for a in sandbox.state.activities.values() if a.get("text") == "Once-only text")


def _task(sandbox):
    return CloseCreateTaskOperator(
        task_id="task", lead_id=_lead_id(sandbox), text="Send the quote", date="2026-03-12"
    )


def _note(sandbox):
    return CloseCreateNoteOperator(task_id="note", lead_id=_lead_id(sandbox), note="Once")


def _contact(sandbox):
    return CloseCreateContactOperator(
        task_id="contact",
        lead_id=_lead_id(sandbox),
        name="Dup Contact",
        emails=["dup@example.com"],
        phones=["+14155550199"],
    )


def _opportunity(sandbox):
    return CloseCreateOpportunityOperator(
        task_id="opportunity",
        lead_id=_lead_id(sandbox),
        value=1200,
        value_unit="units",
        note="Once opp",
        status="Active",
    )


def _email(sandbox):
    return CloseCreateEmailOperator(
        task_id="email",
        mode="log",
        lead_id=_lead_id(sandbox),
        status="sent",
        to=["buyer@example.com"],
        subject="Once-only quote",
        body_text="Here it is.",
    )


def _count_emails(sandbox) -> int:
    return sum(
        1 for a in sandbox.state.activities.values() if a.get("subject") == "Once-only quote"
    )


def _count_contacts(sandbox) -> int:
    return sum(1 for c in sandbox.state.contacts.values() if c["name"] == "Dup Contact")


def _count_opportunities(sandbox) -> int:
    return sum(1 for o in sandbox.state.opportunities.values() if o.get("note") == "Once opp")


def _count_leads(sandbox) -> int:
    return sum(1 for lead in sandbox.state.leads.values() if lead["name"] == "Once Only Ltd")


def _count_calls(sandbox) -> int:
    return sum(1 for a in sandbox.state.activities.values() if a.get("note") == "Asked for a quote")


def _count_tasks(sandbox) -> int:
    return sum(1 for t in sandbox.state.tasks.values() if t["text"] == "Send the quote")


def _count_notes(sandbox) -> int:
    return sum(1 for a in sandbox.state.activities.values() if a.get("note") == "Once")


CASES: list[tuple[str, Callable, Callable[..., int]]] = [
    ("/lead/", _new_lead, _count_leads),
    ("/activity/call/", _call, _count_calls),
    ("/activity/sms/", _sms, _count_sms),
    ("/task/", _task, _count_tasks),
    ("/activity/note/", _note, _count_notes),
    ("/contact/", _contact, _count_contacts),
    ("/opportunity/", _opportunity, _count_opportunities),
    ("/activity/email/", _email, _count_emails),
]


@pytest.mark.parametrize(("path", "make", "count"), CASES, ids=[c[0] for c in CASES])
def test_lost_response_then_retry_leaves_one_object(seeded_sandbox, ti, path, make, count):
    seeded_sandbox.add_fault(Fault(kind="drop_after", method="POST", path=path, times=1))
    first = make(seeded_sandbox).execute({"ti": ti})
    assert first["action"] == "found_existing"
    assert count(seeded_sandbox) == 1

    ti.try_number = 2  # Airflow's retry of the task
    retry = make(seeded_sandbox).execute({"ti": ti})
    assert retry["action"] == "found_existing"
    assert retry["id"] == first["id"]
    assert count(seeded_sandbox) == 1
    posts = [r for r in seeded_sandbox.requests if r.method == "POST" and r.path == path]
    assert len(posts) == 1


#: Where each create's lookup reads: leads through search (lagging), the rest immediate lists.
LOOKUPS = {
    "/lead/": ("POST", "/data/search/"),
    **{path: ("GET", path) for path, _make, _count in CASES[1:]},
}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_drop_after_commit_then_an_immediate_retry_leaves_one_object(
    seeded_sandbox, close_conn, ti, settle_clock, case
):
    """The first try dies after its create was applied; Airflow retries it at once."""
    path, make, count = case
    close_conn(max_retries=0)  # the lookup's 500 fails the first try
    method, lookup = LOOKUPS[path]
    seeded_sandbox.add_fault(Fault(kind="drop_after", method="POST", path=path, times=1))
    seeded_sandbox.add_fault(Fault(kind="server_error", method=method, path=lookup, times=1))
    with pytest.raises(CloseServerError):
        make(seeded_sandbox).execute({"ti": ti})
    assert count(seeded_sandbox) == 1  # applied, outcome unknown to the task

    ti.try_number = 2  # Airflow's retry, with retry_delay=0
    retry = make(seeded_sandbox).execute({"ti": ti})
    assert retry["action"] == "found_existing"
    assert count(seeded_sandbox) == 1
    posts = [r for r in seeded_sandbox.requests if r.method == "POST" and r.path == path]
    assert len(posts) == 1
    if path == "/lead/":  # found only by search: believed after the settle window
        assert sum(settle_clock.slept) >= LAG - 1  # less the real time the test took


ACTIVITY_CASES = CASES[1:]


@pytest.mark.parametrize(
    ("path", "make", "count"), ACTIVITY_CASES, ids=[c[0] for c in ACTIVITY_CASES]
)
def test_connection_dropped_before_apply_is_sent_again_once(
    seeded_sandbox, context, path, make, count
):
    seeded_sandbox.add_fault(Fault(kind="drop_before", method="POST", path=path, times=1))
    result = make(seeded_sandbox).execute(context)
    assert result["action"] == "created"
    assert count(seeded_sandbox) == 1


def test_lead_not_found_is_sent_again_only_after_the_settle_window(
    seeded_sandbox, ti, settle_clock
):
    """Lead search lags behind writes, so "not found" is believed only a minute later."""
    seeded_sandbox.add_fault(Fault(kind="drop_before", method="POST", path="/lead/", times=1))
    lost_at = seeded_sandbox.clock.now()
    assert _new_lead(seeded_sandbox).execute({"ti": ti})["action"] == "created"
    assert _count_leads(seeded_sandbox) == 1
    assert (seeded_sandbox.clock.now() - lost_at).total_seconds() >= LAG
    assert settle_clock.slept
    assert sum(settle_clock.slept) <= LAG + 1


def test_on_a_retry_the_window_runs_from_the_retry_start(seeded_sandbox, ti, settle_clock):
    """The earlier try ended before this one started: a search made 60 s after that start
    could have seen its lead, so finding nothing then means the lead must be created."""
    ti.try_number = 2
    ti.start_date = seeded_sandbox.clock.now() - timedelta(seconds=LAG)
    assert _new_lead(seeded_sandbox).execute({"ti": ti})["action"] == "created"
    assert settle_clock.slept == []
    assert _count_leads(seeded_sandbox) == 1


def test_the_settle_window_is_configurable(seeded_sandbox, ti, settle_clock):
    seeded_sandbox.set_search_lag(150)
    seeded_sandbox.add_fault(Fault(kind="drop_after", method="POST", path="/lead/", times=1))
    op = CloseCreateLeadOperator(task_id="lead", name="Once Only Ltd", settle_seconds=180)
    assert op.execute({"ti": ti})["action"] == "found_existing"
    assert _count_leads(seeded_sandbox) == 1
    assert 150 <= sum(settle_clock.slept) <= 181


def test_a_lost_call_is_resolved_by_its_list_without_waiting(seeded_sandbox, ti, settle_clock):
    """Activity lists are consistent at once: no settle window."""
    seeded_sandbox.add_fault(Fault(kind="drop_before", method="POST", path="/activity/call/"))
    seeded_sandbox.add_fault(Fault(kind="drop_before", method="POST", path="/activity/call/"))
    with pytest.raises(CloseUnknownOutcomeError):
        _call(seeded_sandbox).execute({"ti": ti})
    assert settle_clock.slept == []


def test_settle_seconds_must_be_a_non_negative_number():
    with pytest.raises(ClosePayloadError, match="settle_seconds"):
        CloseCreateLeadOperator(task_id="lead", name="X", settle_seconds=-1)
    with pytest.raises(ClosePayloadError, match="settle_seconds"):
        CloseCreateLeadOperator(task_id="lead", name="X", settle_seconds="60")


def test_first_try_never_looks_before_creating(seeded_sandbox, context):
    _call(seeded_sandbox).execute(context)
    assert [r.method for r in seeded_sandbox.requests] == ["POST"]


@pytest.mark.parametrize(("path", "make", "count"), CASES, ids=[c[0] for c in CASES])
def test_retry_ignores_an_identical_object_from_before_the_run(
    seeded_sandbox, ti, path, make, count
):
    seeded_sandbox.clock.advance(-2 * 24 * 3600)  # the look-alike was created two days ago
    make(seeded_sandbox).execute({"ti": ti})
    seeded_sandbox.clock.reset()
    assert count(seeded_sandbox) == 1

    ti.try_number = 2
    result = make(seeded_sandbox).execute({"ti": ti})
    assert result["action"] == "created"
    assert count(seeded_sandbox) == 2


def test_retry_window_starts_at_the_dag_run_start(seeded_sandbox, ti):
    first = _task(seeded_sandbox).execute({"ti": ti})
    ti.try_number = 2
    run_started_later = type("DagRun", (), {"start_date": datetime(2999, 1, 1, tzinfo=UTC)})()
    result = _task(seeded_sandbox).execute({"ti": ti, "dag_run": run_started_later})
    assert result["action"] == "created"
    assert result["id"] != first["id"]
