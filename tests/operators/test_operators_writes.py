"""Contact, opportunity, call, SMS, note and task operators against the sandbox, read back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from airflow_provider_close.links import LEAD_ID_XCOM_KEY
from airflow_provider_close.operators.activities import (
    CloseCreateCallOperator,
    CloseCreateSmsOperator,
)
from airflow_provider_close.operators.contacts import (
    CloseCreateContactOperator,
    CloseUpdateContactOperator,
)
from airflow_provider_close.operators.notes import CloseCreateNoteOperator, CloseGetNoteOperator
from airflow_provider_close.operators.opportunities import (
    CloseCreateOpportunityOperator,
    CloseUpdateOpportunityOperator,
)
from airflow_provider_close.operators.tasks import CloseCreateTaskOperator, CloseUpdateTaskOperator

pytestmark = pytest.mark.usefixtures("close_conn")


@pytest.fixture
def lead(seeded_sandbox) -> dict:
    return next(iter(seeded_sandbox.state.leads.values()))


@pytest.fixture
def contact(seeded_sandbox, lead) -> dict:
    return next(c for c in seeded_sandbox.state.contacts.values() if c["lead_id"] == lead["id"])


def test_create_and_update_contact(seeded_sandbox, context, ti, lead):
    linkedin = next(iter(seeded_sandbox.state.custom_fields["contact"]))
    created = CloseCreateContactOperator(
        task_id="c",
        lead_id=lead["id"],
        name="Ada Lovelace",
        title="CTO",
        emails=["ada@example.com"],
        phones=["+44 20 7946 0958"],
        custom_fields={"LinkedIn": "https://linkedin.example/ada"},
    ).execute(context)
    stored = seeded_sandbox.state.contacts[created["id"]]
    assert (created["action"], stored["lead_id"], stored["name"]) == (
        "created",
        lead["id"],
        "Ada Lovelace",
    )
    assert [e["email"] for e in stored["emails"]] == ["ada@example.com"]
    assert stored["phones"][0]["phone"] == "+442079460958"
    assert stored[f"custom.{linkedin}"] == "https://linkedin.example/ada"
    assert ti.pushed[LEAD_ID_XCOM_KEY] == lead["id"]

    updated = CloseUpdateContactOperator(
        task_id="u", contact_id=created["id"], title="CEO", custom_fields={linkedin: None}
    ).execute(context)
    stored = seeded_sandbox.state.contacts[created["id"]]
    assert (updated["action"], stored["title"], stored.get(f"custom.{linkedin}")) == (
        "updated",
        "CEO",
        None,
    )


def test_create_and_update_opportunity_value_units(seeded_sandbox, context, lead, contact):
    won = next(s for s in seeded_sandbox.state.opportunity_statuses.values() if s["label"] == "Won")
    created = CloseCreateOpportunityOperator(
        task_id="o",
        lead_id=lead["id"],
        value="499.99",
        value_unit="units",
        value_period="monthly",
        status="Active",
        confidence=60,
        contact_id=contact["id"],
        note="Pilot",
        custom_fields={"Source": "Airflow"},
    ).execute(context)
    stored = seeded_sandbox.state.opportunities[created["id"]]
    assert stored["value"] == 49999
    assert (stored["value_period"], stored["confidence"], stored["status_label"]) == (
        "monthly",
        60,
        "Active",
    )
    assert (stored["lead_id"], stored["contact_id"], stored["note"]) == (
        lead["id"],
        contact["id"],
        "Pilot",
    )

    CloseUpdateOpportunityOperator(
        task_id="u", opportunity_id=created["id"], value=500, value_unit="cents", status=won["id"]
    ).execute(context)
    stored = seeded_sandbox.state.opportunities[created["id"]]
    assert (stored["value"], stored["status_id"]) == (500, won["id"])


def test_log_call(seeded_sandbox, context, ti, lead, contact):
    result = CloseCreateCallOperator(
        task_id="call",
        lead_id=lead["id"],
        contact_id=contact["id"],
        direction="outbound",
        duration="95",
        phone="+1 415 555 0123",
        note="Left details about pricing",
        recording_url="https://recordings.example/1.mp3",
        activity_at=datetime(2026, 3, 10, 15, 0, tzinfo=UTC),
    ).execute(context)
    stored = seeded_sandbox.state.activities[result["id"]]
    assert result["id"].startswith("acti_")
    assert result["action"] == "created"
    assert stored["_type"] == "Call"
    assert (stored["lead_id"], stored["contact_id"], stored["direction"]) == (
        lead["id"],
        contact["id"],
        "outbound",
    )
    assert (stored["status"], stored["duration"], stored["phone"]) == (
        "completed",
        95,
        "+14155550123",
    )
    assert stored["note"] == "Left details about pricing"
    assert stored["activity_at"].startswith("2026-03-10T15:00:00")
    assert ti.pushed[LEAD_ID_XCOM_KEY] == lead["id"]


def test_log_sms_and_send_sms(seeded_sandbox, context, lead):
    logged = CloseCreateSmsOperator(
        task_id="log",
        mode="log",
        status="inbox",
        lead_id=lead["id"],
        remote_phone="+14155550123",
        text="Hi!",
    ).execute(context)
    stored = seeded_sandbox.state.activities[logged["id"]]
    assert (stored["_type"], stored["status"], stored["direction"], stored["text"]) == (
        "SMS",
        "inbox",
        "inbound",
        "Hi!",
    )

    sent = CloseCreateSmsOperator(
        task_id="send",
        mode="send",
        lead_id=lead["id"],
        local_phone=seeded_sandbox.state.internal_phone,
        remote_phone="+14155550123",
        text="Your order shipped",
    ).execute(context)
    stored = seeded_sandbox.state.activities[sent["id"]]
    assert stored["direction"] == "outbound"
    assert stored["status"] in ("outbox", "sent")
    assert stored["local_phone"] == seeded_sandbox.state.internal_phone


def test_create_and_get_note(seeded_sandbox, context, ti, lead):
    created = CloseCreateNoteOperator(
        task_id="n",
        lead_id=lead["id"],
        note_html="<p>Renewal <b>due</b></p>",
        title="Renewal",
        pinned=True,
    ).execute(context)
    stored = seeded_sandbox.state.activities[created["id"]]
    assert stored["_type"] == "Note"
    assert stored["note_html"] == "<body><p>Renewal <b>due</b></p></body>"
    assert (stored["title"], stored["pinned"]) == ("Renewal", True)

    ti.pushed.clear()
    got = CloseGetNoteOperator(task_id="g", object_id=created["id"]).execute(context)
    assert got["id"] == created["id"]
    assert got["object"]["title"] == "Renewal"
    assert ti.pushed[LEAD_ID_XCOM_KEY] == lead["id"]


@pytest.mark.parametrize(
    ("due", "expected"),
    [(date(2026, 3, 10), "2026-03-10"), ("2026-03-10T15:00:00+00:00", "2026-03-10T15:00:00")],
)
def test_create_task(seeded_sandbox, context, lead, due, expected):
    user = next(iter(seeded_sandbox.state.users))
    result = CloseCreateTaskOperator(
        task_id="t", lead_id=lead["id"], text="Call back re: quote", date=due, assigned_to=user
    ).execute(context)
    stored = seeded_sandbox.state.tasks[result["id"]]
    assert result["id"].startswith("task_")
    assert (stored["lead_id"], stored["text"], stored["assigned_to"]) == (
        lead["id"],
        "Call back re: quote",
        user,
    )
    assert stored["date"].startswith(expected)
    assert stored["is_complete"] is False


def test_complete_and_reschedule_a_task(seeded_sandbox, context, ti, lead):
    task = CloseCreateTaskOperator(task_id="t", lead_id=lead["id"], text="Ship it").execute(context)
    result = CloseUpdateTaskOperator(
        task_id="done", close_task_id=task["id"], is_complete=True, date="2026-04-01"
    ).execute(context)
    stored = seeded_sandbox.state.tasks[task["id"]]
    assert result["action"] == "updated"
    assert stored["is_complete"] is True
    assert stored["date"].startswith("2026-04-01")
    assert ti.pushed[LEAD_ID_XCOM_KEY] == lead["id"]
