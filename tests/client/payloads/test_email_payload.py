"""Table-driven tests of the email payload builder (pure: no network, no Airflow)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.email import build_email_payload, check_mailbox

LEAD = "lead_" + "a" * 43
CONTACT = "cont_" + "b" * 43
USER = "user_" + "c" * 43
TEMPLATE = "tmpl_" + "d" * 43
SENDER = '"Ada Lovelace" <ada@example.com>'
WHEN = "2026-03-10T15:00:00+00:00"


def _log(**overrides: Any) -> dict[str, Any]:
    return {"mode": "log", "lead_id": LEAD, "status": "sent", "subject": "Hi", **overrides}


def _send(**overrides: Any) -> dict[str, Any]:
    base = {"mode": "send", "lead_id": LEAD, "sender": SENDER, "to": ["bob@example.com"]}
    return {**base, "subject": "Hi", **overrides}


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param(
            _log(),
            {"lead_id": LEAD, "status": "sent", "subject": "Hi"},
            id="minimal-sent-log",
        ),
        pytest.param(
            _log(status="inbox", sender="bob@example.com", direction="incoming", body_text="yo"),
            {
                "lead_id": LEAD,
                "status": "inbox",
                "direction": "incoming",
                "sender": "bob@example.com",
                "subject": "Hi",
                "body_text": "yo",
            },
            id="inbox-with-direction",
        ),
        pytest.param(
            _log(status="draft", subject=None, body_html="<p>x</p>", to="  bob@example.com "),
            {
                "lead_id": LEAD,
                "status": "draft",
                "to": ["bob@example.com"],
                "body_html": "<p>x</p>",
            },
            id="draft-html-single-recipient",
        ),
        pytest.param(
            _log(
                contact_id=CONTACT,
                user_id=USER,
                cc=["c@example.com"],
                bcc=['"B" <b@example.com>'],
                activity_at=datetime(2026, 3, 10, 16, tzinfo=UTC),
                followup_date=WHEN,
            ),
            {
                "lead_id": LEAD,
                "status": "sent",
                "contact_id": CONTACT,
                "user_id": USER,
                "cc": ["c@example.com"],
                "bcc": ['"B" <b@example.com>'],
                "subject": "Hi",
                "activity_at": "2026-03-10T16:00:00+00:00",
                "followup_date": WHEN,
            },
            id="sent-log-full",
        ),
        pytest.param(
            _send(send_in="10"),
            {
                "lead_id": LEAD,
                "status": "outbox",
                "sender": SENDER,
                "to": ["bob@example.com"],
                "subject": "Hi",
                "send_in": 10,
            },
            id="send-defaults-to-outbox",
        ),
        pytest.param(
            _send(date_scheduled=WHEN, subject=None, template_id=TEMPLATE),
            {
                "lead_id": LEAD,
                "status": "scheduled",
                "sender": SENDER,
                "to": ["bob@example.com"],
                "template_id": TEMPLATE,
                "date_scheduled": WHEN,
            },
            id="send-with-date-is-scheduled",
        ),
    ],
)
def test_builds_payload(kwargs: dict[str, Any], expected: dict[str, Any]) -> None:
    assert build_email_payload(**kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        pytest.param(_log(mode="write"), "email.mode", id="unknown-mode"),
        pytest.param(_log(mode=None), "email.mode", id="mode-required"),
        pytest.param(_log(status=None), "email.status", id="log-needs-status"),
        pytest.param(_log(status="outbox", sender=SENDER), "email.status", id="log-cannot-send"),
        pytest.param(_send(status="sent"), "email.status", id="send-cannot-log"),
        pytest.param(_log(status="error"), "email.status", id="error-status"),
        pytest.param(_log(lead_id="lead_123"), "email.lead_id", id="short-lead-id"),
        pytest.param(_log(lead_id="cont_" + "a" * 43), "email.lead_id", id="contact-as-lead"),
        pytest.param(_log(contact_id=LEAD), "email.contact_id", id="lead-as-contact"),
        pytest.param(_log(user_id="me"), "email.user_id", id="bad-user"),
        pytest.param(_log(direction="inbound"), "email.direction", id="sms-direction-word"),
        pytest.param(_log(direction="incoming"), "email.direction", id="sent-is-outgoing"),
        pytest.param(
            _log(status="inbox", sender=SENDER, direction="outgoing"),
            "email.direction",
            id="inbox-is-incoming",
        ),
        pytest.param(_log(status="inbox"), "email.sender", id="inbox-needs-sender"),
        pytest.param(_send(sender=None), "email.sender", id="outbox-needs-sender"),
        pytest.param(_log(sender="not an address"), "email.sender", id="bad-sender"),
        pytest.param(_log(sender='"Ada" <ada@>'), "email.sender", id="bad-sender-in-brackets"),
        pytest.param(_send(to=None), "email.to", id="send-needs-recipient"),
        pytest.param(_send(to=[]), "email.to", id="send-needs-nonempty-recipients"),
        pytest.param(_log(to=["ok@example.com", "nope"]), "email.to[1]", id="bad-recipient"),
        pytest.param(_log(cc=[42]), "email.cc[0]", id="non-string-cc"),
        pytest.param(_log(bcc={"a": 1}), "email.bcc", id="bcc-not-a-list"),
        pytest.param(_log(subject=None), "email.subject", id="nothing-to-say"),
        pytest.param(_log(subject="  "), "email.subject", id="blank-subject"),
        pytest.param(
            _log(body_text="x", template_id=TEMPLATE), "email.template_id", id="template-and-body"
        ),
        pytest.param(_log(template_id="tmpl_x"), "email.template_id", id="bad-template"),
        pytest.param(_send(status="scheduled"), "email.date_scheduled", id="scheduled-needs-date"),
        pytest.param(
            _send(status="outbox", date_scheduled=WHEN), "email.date_scheduled", id="date-on-outbox"
        ),
        pytest.param(
            _send(date_scheduled="2026-03-10T15:00:00"), "email.date_scheduled", id="naive-date"
        ),
        pytest.param(_send(send_in=60), "email.send_in", id="send-in-too-long"),
        pytest.param(
            _send(date_scheduled=WHEN, send_in=5), "email.send_in", id="send-in-needs-outbox"
        ),
        pytest.param(
            _log(status="draft", followup_date=WHEN), "email.followup_date", id="fu-draft"
        ),
        pytest.param(_log(followup_date="tomorrow"), "email.followup_date", id="bad-followup"),
        pytest.param(_send(activity_at=WHEN), "email.activity_at", id="activity-at-when-sending"),
        pytest.param(_log(activity_at="2026-03-10"), "email.activity_at", id="date-not-datetime"),
    ],
)
def test_refuses_bad_input(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ClosePayloadError) as caught:
        build_email_payload(**kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ada@example.com", "ada@example.com"),
        (" ada@example.com ", "ada@example.com"),
        ("Ada <ada@example.com>", "Ada <ada@example.com>"),
        ('"Lovelace, Ada" <ada@example.com>', '"Lovelace, Ada" <ada@example.com>'),
    ],
)
def test_mailbox_accepts(value: str, expected: str) -> None:
    assert check_mailbox("email.sender", value) == expected


@pytest.mark.parametrize(
    "value", ["", "ada", "ada@example", "<ada@example.com", "Ada <a@b.c> <d@e.f>", None, 7]
)
def test_mailbox_refuses(value: object) -> None:
    with pytest.raises(ClosePayloadError):
        check_mailbox("email.sender", value)
