"""CloseCreateEmailOperator against the sandbox over real HTTP, through the real client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.client import ClosePayloadError
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.links import LEAD_ID_XCOM_KEY
from airflow_provider_close.operators.emails import CloseCreateEmailOperator
from airflow_provider_close.sandbox import CloseSandbox, Fault
from tests.operators.fail_now import fails_now
from tests.operators.fakes import FakeTaskInstance as FakeTI

SENDER = '"Ada Lovelace" <ada@example.com>'


def _context(ti: FakeTI | None = None) -> Any:
    return {"ti": ti or FakeTI()}


@pytest.fixture
def lead_id(sandbox: CloseSandbox, close_conn: Callable[..., str]) -> str:
    hook = CloseHook()
    lead = hook.create_lead({"name": "Acme"})
    hook.close()
    return str(lead["id"])


def _emails(sandbox: CloseSandbox) -> list[dict[str, Any]]:
    return [a for a in sandbox.state.activities.values() if a["_type"] == "Email"]


def _posts(sandbox: CloseSandbox) -> list[Any]:
    return [r for r in sandbox.requests if r.method == "POST" and r.path == "/activity/email/"]


def test_logs_a_sent_email(lead_id: str, sandbox: CloseSandbox) -> None:
    ti = FakeTI()
    op = CloseCreateEmailOperator(
        task_id="email",
        mode="log",
        lead_id=lead_id,
        status="sent",
        to=["bob@example.com"],
        subject="Quote",
        body_text="Here it is",
        activity_at="2020-01-02T10:00:00+00:00",
    )
    result = op.execute(_context(ti))
    assert result["action"] == "created"
    assert result["object"] is not None
    assert result["object"]["status"] == "sent"
    assert result["object"]["direction"] == "outgoing"
    assert [e["id"] for e in _emails(sandbox)] == [result["id"]]
    assert ti.pushed == {LEAD_ID_XCOM_KEY: lead_id}


def test_logs_a_received_email(lead_id: str, sandbox: CloseSandbox) -> None:
    op = CloseCreateEmailOperator(
        task_id="email",
        mode="log",
        lead_id=lead_id,
        status="inbox",
        direction="incoming",
        sender="bob@example.com",
        to=["ada@example.com"],
        subject="Question",
        body_html="<p>Can you call me?</p>",
    )
    result = op.execute(_context())
    assert result["object"] is not None
    assert result["object"]["status"] == "inbox"
    assert result["object"]["direction"] == "incoming"
    assert result["object"]["body_text"].strip() == "Can you call me?"


def test_send_mode_sends(lead_id: str, sandbox: CloseSandbox) -> None:
    op = CloseCreateEmailOperator(
        task_id="email",
        mode="send",
        lead_id=lead_id,
        sender=SENDER,
        to=["bob@example.com"],
        subject="Welcome",
        body_text="Hello Bob",
    )
    result = op.execute(_context())
    stored = sandbox.state.activities[result["id"]]
    assert stored["status"] in ("outbox", "sent")
    assert stored["sender"] == SENDER


def test_retry_finds_the_email_instead_of_logging_it_twice(
    lead_id: str, sandbox: CloseSandbox
) -> None:
    def make() -> CloseCreateEmailOperator:
        return CloseCreateEmailOperator(
            task_id="email",
            mode="log",
            lead_id=lead_id,
            status="sent",
            subject="Once",
            body_text="only",
        )

    first = make().execute(_context())
    posts_before = len(_posts(sandbox))
    again = make().execute(_context(FakeTI(try_number=2)))
    assert again["action"] == "found_existing"
    assert again["id"] == first["id"]
    assert len(_posts(sandbox)) == posts_before
    assert len(_emails(sandbox)) == 1


def test_retry_logs_when_no_earlier_try_created_it(lead_id: str, sandbox: CloseSandbox) -> None:
    op = CloseCreateEmailOperator(
        task_id="email",
        mode="log",
        lead_id=lead_id,
        status="sent",
        subject="New",
        body_text="fresh",
    )
    result = op.execute(_context(FakeTI(try_number=3)))
    assert result["action"] == "created"
    assert len(_emails(sandbox)) == 1


def test_lost_response_does_not_send_twice(lead_id: str, sandbox: CloseSandbox) -> None:
    sandbox.add_fault(Fault(kind="drop_after", method="POST", path="/activity/email/", times=1))
    op = CloseCreateEmailOperator(
        task_id="email",
        mode="send",
        lead_id=lead_id,
        sender=SENDER,
        to=["bob@example.com"],
        subject="Invoice 42",
        body_text="Attached",
    )
    result = op.execute(_context())
    assert result["action"] == "found_existing"
    assert len(_posts(sandbox)) == 1
    assert [e["id"] for e in _emails(sandbox)] == [result["id"]]


def test_retry_of_an_unrecognisable_send_fails_instead_of_resending(
    lead_id: str, sandbox: CloseSandbox
) -> None:
    op = CloseCreateEmailOperator(
        task_id="email",
        mode="send",
        lead_id=lead_id,
        sender=SENDER,
        to=["bob@example.com"],
        body_html="<p>hi</p>",
    )
    with pytest.raises(AirflowException, match="not sending it again"):
        op.execute(_context(FakeTI(try_number=2)))
    assert _posts(sandbox) == []


LEAD = "lead_" + "a" * 43


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"lead_id": "lead_1", "status": "sent", "subject": "x"}, "email.lead_id"),
        ({"lead_id": LEAD, "subject": "x"}, "email.status"),
        ({"lead_id": LEAD, "status": "outbox", "subject": "x", "sender": SENDER}, "email.status"),
        ({"lead_id": LEAD, "status": "sent"}, "email.subject"),
        ({"lead_id": LEAD, "status": "inbox", "subject": "x"}, "email.sender"),
        ({"lead_id": LEAD, "status": "sent", "subject": "x", "to": ["bob"]}, "email.to[0]"),
        (
            {"lead_id": LEAD, "status": "sent", "subject": "x", "direction": "out"},
            "email.direction",
        ),
        (
            {"lead_id": LEAD, "mode": "send", "sender": SENDER, "subject": "x"},
            "email.to",
        ),
        (
            {
                "lead_id": LEAD,
                "mode": "send",
                "status": "scheduled",
                "sender": SENDER,
                "to": ["b@example.com"],
                "subject": "x",
            },
            "email.date_scheduled",
        ),
        ({"lead_id": LEAD, "mode": "spam", "status": "sent", "subject": "x"}, "email.mode"),
    ],
    ids=[
        "lead-id",
        "status-required-to-log",
        "log-cannot-send",
        "empty-email",
        "inbox-sender",
        "bad-recipient",
        "direction",
        "send-needs-to",
        "scheduled-needs-date",
        "unknown-mode",
    ],
)
def test_bad_input_refused_before_any_request(
    kwargs: dict[str, Any], field: str, sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    with fails_now(ClosePayloadError) as caught:
        CloseCreateEmailOperator(task_id="email", **{"mode": "log", **kwargs}).execute(_context())
    assert caught.value.field == field
    assert sandbox.requests == []


def test_templated_fields_never_hold_the_key() -> None:
    names = CloseCreateEmailOperator.template_fields
    assert "close_conn_id" in names
    assert "mode" in names
    assert not any("key" in n or "password" in n for n in names)
