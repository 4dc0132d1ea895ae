"""Contract: activity endpoints and Close's rules for calls, SMS, notes, emails, meetings."""

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

ACTIVITY_ID = re.compile(r"^acti_[0-9A-Za-z]{43}$")


@pytest.fixture
def lead(api: httpx.Client, target: ContractTarget) -> dict[str, Any]:
    body = {"name": target.name("Acme"), "contacts": [{"name": "Wile"}]}
    return dict(ok(api.post("lead/", json=body)))


def _field_errors(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    return dict(response.json()["field-errors"])


def test_logged_call_shape(api: httpx.Client, lead: dict[str, Any]) -> None:
    call = ok(
        api.post(
            "activity/call/",
            json={
                "lead_id": lead["id"],
                "contact_id": lead["contacts"][0]["id"],
                "direction": "outbound",
                "duration": 95,
                "phone": "+14155550123",
                "note_html": "<body><p>Left details</p></body>",
            },
        )
    )
    assert ACTIVITY_ID.match(call["id"])
    assert (call["_type"], call["source"], call["status"]) == ("Call", "External", "completed")
    assert (call["remote_phone"], call["note"]) == ("+14155550123", "Left details")
    assert ok(api.get(f"activity/call/{call['id']}/"))["duration"] == 95


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("direction", "sideways"),
        ("status", "ringing"),
        ("duration", 604_801),
        ("duration", -1),
        ("duration", 1.5),
        ("recording_url", "http://insecure.example/rec.mp3"),
        ("lead_id", "lead_doesnotexist"),
    ],
)
def test_call_field_rules(
    api: httpx.Client, lead: dict[str, Any], field: str, value: object
) -> None:
    payload = {"lead_id": lead["id"], field: value}
    assert field in _field_errors(api.post("activity/call/", json=payload))


def test_call_accepts_the_maximum_duration_and_https_recordings(
    api: httpx.Client, lead: dict[str, Any]
) -> None:
    call = ok(
        api.post(
            "activity/call/",
            json={"lead_id": lead["id"], "duration": 604_800, "recording_url": "https://r/x.mp3"},
        )
    )
    assert call["has_recording"] is True


@pytest.mark.parametrize(
    ("payload", "note", "note_html"),
    [
        ({"note": "a\nb"}, "a\nb", "<body><p>a<br />b</p></body>"),
        ({"note_html": "<body><p>x &amp; y</p></body>"}, "x & y", "<body><p>x &amp; y</p></body>"),
        ({"note": "loses", "note_html": "<body><p>wins</p></body>"}, "wins", None),
    ],
)
def test_note_and_note_html_derive_each_other(
    api: httpx.Client,
    lead: dict[str, Any],
    payload: dict[str, str],
    note: str,
    note_html: str | None,
) -> None:
    created = ok(api.post("activity/note/", json={"lead_id": lead["id"], **payload}))
    assert created["note"] == note
    assert created["note_html"] == (note_html or payload["note_html"])


def test_updating_note_overwrites_note_html(api: httpx.Client, lead: dict[str, Any]) -> None:
    note = ok(api.post("activity/note/", json={"lead_id": lead["id"], "note_html": "<p>old</p>"}))
    updated = ok(api.put(f"activity/note/{note['id']}/", json={"note": "new"}))
    assert (updated["note"], updated["note_html"]) == ("new", "<body><p>new</p></body>")


def test_note_requires_lead_id(api: httpx.Client) -> None:
    assert _field_errors(api.post("activity/note/", json={"note": "x"})) == {
        "lead_id": "This field is required."
    }


def test_outbox_sms_is_sent_with_date_sent(
    api: httpx.Client, lead: dict[str, Any], sandbox: CloseSandbox
) -> None:
    sms = ok(
        api.post(
            "activity/sms/",
            json={
                "lead_id": lead["id"],
                "status": "outbox",
                "text": "Hi",
                "local_phone": sandbox.state.internal_phone,
                "remote_phone": "+14155550123",
            },
        )
    )
    assert (sms["status"], sms["direction"]) == ("sent", "outbound")
    assert sms["date_sent"] is not None
    actions = [e["action"] for e in sandbox.state.events.values() if e["object_id"] == sms["id"]]
    assert actions == ["created", "sent"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "x"}, "status"),
        ({"status": "flying", "text": "x"}, "status"),
        ({"status": "scheduled", "text": "x", "remote_phone": "+14155550123"}, "date_scheduled"),
        ({"status": "outbox", "text": "x", "remote_phone": "+14155550123"}, "local_phone"),
        (
            {
                "status": "outbox",
                "text": "x",
                "local_phone": "+14155559999",
                "remote_phone": "+14155550123",
            },
            "local_phone",
        ),
    ],
)
def test_sms_rules(
    api: httpx.Client, lead: dict[str, Any], payload: dict[str, str], field: str
) -> None:
    assert field in _field_errors(
        api.post("activity/sms/", json={"lead_id": lead["id"], **payload})
    )


def test_inbox_and_sent_sms_are_stored_as_given(api: httpx.Client, lead: dict[str, Any]) -> None:
    inbox = ok(
        api.post("activity/sms/", json={"lead_id": lead["id"], "status": "inbox", "text": "a"})
    )
    sent = ok(
        api.post("activity/sms/", json={"lead_id": lead["id"], "status": "sent", "text": "b"})
    )
    assert (inbox["status"], inbox["direction"]) == ("inbox", "inbound")
    assert (sent["status"], sent["direction"], sent["date_sent"]) == ("sent", "outbound", None)


def test_scheduled_sms_keeps_its_schedule(
    api: httpx.Client, lead: dict[str, Any], sandbox: CloseSandbox
) -> None:
    sms = ok(
        api.post(
            "activity/sms/",
            json={
                "lead_id": lead["id"],
                "status": "scheduled",
                "text": "Later",
                "date_scheduled": "2030-01-01T10:00:00Z",
                "local_phone": sandbox.state.internal_phone,
                "remote_phone": "+14155550123",
            },
        )
    )
    assert (sms["status"], sms["date_scheduled"]) == (
        "scheduled",
        "2030-01-01T10:00:00.000000+00:00",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "inbox"}, "sender"),
        ({"status": "outbox", "to": ["a@b.example"]}, "sender"),
        ({"status": "archived", "sender": "a@b.example"}, "status"),
        ({"status": "draft", "direction": "inbound"}, "direction"),
        ({"status": "draft", "to": ["not-an-email"]}, "to"),
    ],
)
def test_email_rules(
    api: httpx.Client, lead: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    errors = _field_errors(api.post("activity/email/", json={"lead_id": lead["id"], **payload}))
    assert field in errors


@pytest.mark.sandbox_only("would send a real email")
def test_outbox_email_is_sent_and_outgoing(api: httpx.Client, lead: dict[str, Any]) -> None:
    email = ok(
        api.post(
            "activity/email/",
            json={
                "lead_id": lead["id"],
                "status": "outbox",
                "sender": '"Me" <me@example.com>',
                "to": ["wile@acme.example"],
                "subject": "Hello",
                "body_html": "<p>Hi there</p>",
            },
        )
    )
    assert (email["status"], email["direction"], email["body_text"]) == (
        "sent",
        "outgoing",
        "Hi there",
    )


def test_meetings_cannot_be_posted_but_can_be_read_updated_deleted(
    api: httpx.Client, lead: dict[str, Any], sandbox: CloseSandbox
) -> None:
    assert api.post("activity/meeting/", json={"lead_id": lead["id"]}).status_code == 405
    meeting = sandbox.state.insert_activity("meeting", lead_id=lead["id"], status="upcoming")
    path = f"activity/meeting/{meeting['id']}/"
    updated = ok(api.put(path, json={"user_note_html": "<body><p>went well</p></body>"}))
    assert updated["user_note"] == "went well"
    assert ok(api.delete(path)) == {}
    assert api.get(path).status_code == 404


def test_activity_of_another_type_is_404_on_a_typed_path(
    api: httpx.Client, lead: dict[str, Any]
) -> None:
    note = ok(api.post("activity/note/", json={"lead_id": lead["id"], "note": "x"}))
    assert api.get(f"activity/call/{note['id']}/").status_code == 404


def test_import_keeps_date_created_and_activity_at(api: httpx.Client, lead: dict[str, Any]) -> None:
    call = ok(
        api.post(
            "activity/call/",
            json={
                "lead_id": lead["id"],
                "date_created": "2023-05-01T08:00:00Z",
                "activity_at": "2023-05-01T07:30:00+00:00",
            },
        )
    )
    assert call["date_created"] == "2023-05-01T08:00:00.000000+00:00"
    assert call["activity_at"] == "2023-05-01T07:30:00.000000+00:00"


@pytest.mark.parametrize(
    "params",
    [
        {"user_id": "user_x"},
        {"contact_id": "cont_x"},
        {"_type": "Call"},
        {"_order_by": "-activity_at"},
        {"_order_by": "duration"},
        {"date_created__gt": "yesterday"},
    ],
)
def test_generic_activity_list_refuses_what_close_refuses(
    api: httpx.Client, params: dict[str, str]
) -> None:
    response = api.get("activity/", params=params)
    assert response.status_code == 400
    assert isinstance(response.json()["error"], str)


@pytest.mark.sandbox_only("counts activities across the whole organisation")
def test_generic_activity_list_filters(
    api: httpx.Client, lead: dict[str, Any], target: ContractTarget
) -> None:
    other = ok(api.post("lead/", json={"name": target.name("Other")}))
    for owner, stamp in ((lead, "2024-01-01T00:00:00Z"), (lead, "2024-02-01T00:00:00Z")):
        api.post("activity/call/", json={"lead_id": owner["id"], "date_created": stamp})
    api.post(
        "activity/note/", json={"lead_id": lead["id"], "note": "n", "date_created": "2024-03-01"}
    )
    api.post(
        "activity/call/", json={"lead_id": other["id"], "date_created": "2024-01-15T00:00:00Z"}
    )
    mine = ok(api.get("activity/", params={"lead_id": lead["id"], "_type": "Call"}))["data"]
    assert [a["date_created"][:10] for a in mine] == ["2024-02-01", "2024-01-01"]
    window = {"date_created__gte": "2024-01-15", "date_created__lt": "2024-03-01"}
    assert len(ok(api.get("activity/", params=window))["data"]) == 2
    oldest = ok(api.get("activity/", params={"_order_by": "date_created"}))["data"][0]
    assert oldest["date_created"].startswith("2024-01-01")


def test_typed_list_filters_without_lead(
    api: httpx.Client, lead: dict[str, Any], sandbox: CloseSandbox
) -> None:
    me = sandbox.state.me["id"]
    api.post("activity/call/", json={"lead_id": lead["id"]})
    api.post("activity/note/", json={"lead_id": lead["id"], "note": "n"})
    calls = ok(api.get("activity/call/", params={"user_id": me}))["data"]
    assert [a["_type"] for a in calls] == ["Call"]
