"""Table-driven tests of the payload builders (pure: no network, no Airflow)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads import (
    build_call_payload,
    build_contact_payload,
    build_contact_update,
    build_lead_payload,
    build_lead_update,
    build_note_payload,
    build_opportunity_payload,
    build_opportunity_update,
    build_sms_payload,
    build_task_payload,
)
from airflow_provider_close.client.payloads.task import build_task_update

LEAD = "lead_" + "L" * 43
CONT = "cont_" + "C" * 43
USER = "user_" + "U" * 43
STAT = "stat_" + "S" * 43
CF = "custom.cf_" + "F" * 43
TMPL = "smstmpl_" + "T" * 22


def test_call_payload_full():
    payload = build_call_payload(
        lead_id=LEAD,
        contact_id=CONT,
        direction="outbound",
        duration="95",
        phone="+1 415 555 0123",
        note_html="<p>Pricing</p>",
        recording_url="https://rec.example/a.mp3",
        activity_at=datetime(2026, 3, 10, 15, tzinfo=UTC),
    )
    assert payload == {
        "lead_id": LEAD,
        "contact_id": CONT,
        "direction": "outbound",
        "status": "completed",
        "duration": 95,
        "phone": "+14155550123",
        "note_html": "<body><p>Pricing</p></body>",
        "recording_url": "https://rec.example/a.mp3",
        "activity_at": "2026-03-10T15:00:00+00:00",
    }


def test_minimal_payloads_have_only_what_was_given():
    assert build_call_payload(lead_id=LEAD, direction="inbound") == {
        "lead_id": LEAD,
        "direction": "inbound",
        "status": "completed",
    }
    assert build_task_payload(lead_id=LEAD, text="Call back") == {
        "_type": "lead",
        "lead_id": LEAD,
        "text": "Call back",
        "is_complete": False,
    }
    assert build_note_payload(lead_id=LEAD, note="hi") == {"lead_id": LEAD, "note": "hi"}


@pytest.mark.parametrize(
    ("date_in", "expected"),
    [(date(2026, 3, 10), "2026-03-10"), ("2026-03-10T15:00:00+00:00", "2026-03-10T15:00:00+00:00")],
)
def test_task_payload_dates(date_in, expected):
    payload = build_task_payload(
        lead_id=LEAD, text="x", date=date_in, assigned_to=USER, is_complete="true"
    )
    assert payload["date"] == expected
    assert payload["assigned_to"] == USER
    assert payload["is_complete"] is True


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"mode": "log", "status": "inbox", "text": "hi"},
            {"status": "inbox", "text": "hi"},
        ),
        (
            {"mode": "send", "local_phone": "+14155550100", "template_id": TMPL},
            {"status": "outbox", "local_phone": "+14155550100", "template_id": TMPL},
        ),
        (
            {
                "mode": "send",
                "local_phone": "+14155550100",
                "text": "later",
                "date_scheduled": "2026-03-10T15:00:00Z",
            },
            {
                "status": "scheduled",
                "local_phone": "+14155550100",
                "text": "later",
                "date_scheduled": "2026-03-10T15:00:00+00:00",
            },
        ),
    ],
)
def test_sms_payload_modes(kwargs, expected):
    payload = build_sms_payload(lead_id=LEAD, remote_phone="+14155550123", **kwargs)
    assert payload == {"lead_id": LEAD, "remote_phone": "+14155550123", **expected}


def test_lead_payload_nested_and_custom():
    payload = build_lead_payload(
        name="Acme",
        url="https://acme.example",
        status_id=STAT,
        contacts=[{"name": "Wile", "emails": ["wile@acme.example"], "phones": ["+14155550123"]}],
        addresses=[{"label": "business", "city": "Tucson"}],
        custom={CF: "Inbound"},
    )
    assert payload == {
        "name": "Acme",
        "url": "https://acme.example",
        "status_id": STAT,
        "contacts": [
            {
                "name": "Wile",
                "emails": [{"email": "wile@acme.example", "type": "office"}],
                "phones": [{"phone": "+14155550123", "type": "office"}],
            }
        ],
        "addresses": [{"label": "business", "city": "Tucson"}],
        CF: "Inbound",
    }


def test_updates_carry_only_changes_and_allow_unsetting_custom():
    assert build_lead_update(description="new", custom={CF: None}) == {
        "description": "new",
        CF: None,
    }
    assert build_contact_update(title="CTO") == {"title": "CTO"}
    assert build_opportunity_update(confidence="80") == {"confidence": 80}


@pytest.mark.parametrize(
    ("value", "unit", "cents"),
    [
        (500, "units", 50000),
        ("499.99", "units", 49999),
        (0, "units", 0),
        (500, "cents", 500),
        ("500", "cents", 500),
    ],
)
def test_opportunity_value_units(value, unit, cents):
    payload = build_opportunity_payload(lead_id=LEAD, value=value, value_unit=unit)
    assert payload["value"] == cents


def test_contact_payload():
    payload = build_contact_payload(lead_id=LEAD, name="Ada", urls=["https://ada.example"])
    assert payload == {
        "lead_id": LEAD,
        "name": "Ada",
        "urls": [{"url": "https://ada.example", "type": "office"}],
    }


BAD_INPUTS = [
    # (builder, kwargs, field, fragment of allowed)
    (
        build_call_payload,
        {"lead_id": LEAD, "direction": "sideways"},
        "call.direction",
        "'inbound' | 'outbound'",
    ),
    (
        build_call_payload,
        {"lead_id": "call_" + "x" * 43, "direction": "inbound"},
        "call.lead_id",
        "'lead_'",
    ),
    (
        build_call_payload,
        {"lead_id": LEAD, "direction": "inbound", "status": "done"},
        "call.status",
        "'no-answer'",
    ),
    (
        build_call_payload,
        {"lead_id": LEAD, "direction": "inbound", "duration": -5},
        "call.duration",
        "0 to 604800",
    ),
    (
        build_call_payload,
        {"lead_id": LEAD, "direction": "inbound", "duration": 604801},
        "call.duration",
        "0 to 604800",
    ),
    (
        build_call_payload,
        {"lead_id": LEAD, "direction": "inbound", "recording_url": "http://r.example/a"},
        "call.recording_url",
        "https://",
    ),
    (
        build_call_payload,
        {"lead_id": LEAD, "direction": "inbound", "note": "a", "note_html": "b"},
        "call.note_html",
        "not both",
    ),
    (
        build_call_payload,
        {"lead_id": LEAD, "direction": "inbound", "activity_at": "yesterday"},
        "call.activity_at",
        "ISO 8601",
    ),
    (
        build_call_payload,
        {"lead_id": LEAD, "direction": "inbound", "contact_id": LEAD},
        "call.contact_id",
        "'cont_'",
    ),
    (
        build_sms_payload,
        {
            "mode": "log",
            "status": "outbox",
            "lead_id": LEAD,
            "remote_phone": "+14155550123",
            "text": "x",
        },
        "sms.status",
        "'inbox' | 'sent'",
    ),
    (
        build_sms_payload,
        {
            "mode": "send",
            "status": "inbox",
            "lead_id": LEAD,
            "remote_phone": "+14155550123",
            "local_phone": "+14155550100",
            "text": "x",
        },
        "sms.status",
        "'outbox' | 'scheduled'",
    ),
    (
        build_sms_payload,
        {"mode": "log", "lead_id": LEAD, "remote_phone": "+14155550123", "text": "x"},
        "sms.status",
        "'inbox' | 'sent'",
    ),
    (
        build_sms_payload,
        {"mode": "blast", "lead_id": LEAD, "remote_phone": "+14155550123", "text": "x"},
        "sms.mode",
        "'log' | 'send'",
    ),
    (
        build_sms_payload,
        {"mode": "send", "lead_id": LEAD, "remote_phone": "+14155550123", "text": "x"},
        "sms.local_phone",
        "mode='send'",
    ),
    (
        build_sms_payload,
        {
            "mode": "send",
            "status": "scheduled",
            "local_phone": "+14155550100",
            "lead_id": LEAD,
            "remote_phone": "+14155550123",
            "text": "x",
        },
        "sms.date_scheduled",
        "status='scheduled'",
    ),
    (
        build_sms_payload,
        {
            "mode": "log",
            "status": "sent",
            "lead_id": LEAD,
            "remote_phone": "+14155550123",
            "text": "x",
            "template_id": TMPL,
        },
        "sms.template_id",
        "not both",
    ),
    (
        build_sms_payload,
        {"mode": "log", "status": "sent", "lead_id": LEAD, "remote_phone": "+14155550123"},
        "sms.text",
        "exactly one of text or template_id",
    ),
    (
        build_sms_payload,
        {"mode": "log", "status": "sent", "lead_id": LEAD, "remote_phone": "555", "text": "x"},
        "sms.remote_phone",
        "E.164",
    ),
    (
        build_sms_payload,
        {
            "mode": "log",
            "status": "sent",
            "lead_id": LEAD,
            "remote_phone": "+14155550123",
            "text": "x",
            "date_scheduled": "2026-03-10T15:00:00Z",
        },
        "sms.date_scheduled",
        "None unless",
    ),
    (build_task_payload, {"lead_id": LEAD, "text": ""}, "task.text", "non-empty"),
    (
        build_task_payload,
        {"lead_id": LEAD, "text": "x", "date": "soon"},
        "task.date",
        "ISO 8601 date",
    ),
    (
        build_task_payload,
        {"lead_id": LEAD, "text": "x", "assigned_to": "bob"},
        "task.assigned_to",
        "'user_'",
    ),
    (
        build_task_payload,
        {"lead_id": LEAD, "text": "x", "task_type": "email_followup"},
        "task.task_type",
        "'lead' | 'outgoing_call'",
    ),
    (
        build_task_payload,
        {"lead_id": LEAD, "text": "x", "is_complete": "done"},
        "task.is_complete",
        "True or False",
    ),
    (build_note_payload, {"lead_id": LEAD}, "note.note", "exactly one of note or note_html"),
    (build_note_payload, {"lead_id": LEAD, "note": "   "}, "note.note", "non-empty"),
    (
        build_note_payload,
        {"lead_id": LEAD, "note": "x", "pinned": "pin"},
        "note.pinned",
        "True or False",
    ),
    (build_lead_payload, {"name": ""}, "lead.name", "non-empty"),
    (
        build_lead_payload,
        {"name": "A", "status_id": STAT, "status_label": "Potential"},
        "lead.status",
        "not both",
    ),
    (build_lead_payload, {"name": "A", "status_id": "Potential"}, "lead.status_id", "'stat_'"),
    (build_lead_payload, {"name": "A", "url": "acme.example"}, "lead.url", "http"),
    (
        build_lead_payload,
        {"name": "A", "contacts": [{"title": "CEO"}]},
        "lead.contacts[0]",
        "at least one of name, emails, phones",
    ),
    (
        build_lead_payload,
        {"name": "A", "contacts": [{"name": "B", "emails": ["nope"]}]},
        "lead.contacts[0].emails[0]",
        "email address",
    ),
    (build_lead_payload, {"name": "A", "contacts": {"name": "B"}}, "lead.contacts", "a list"),
    (
        build_lead_payload,
        {"name": "A", "addresses": [{"street": "x"}]},
        "lead.addresses[0]",
        "address_1",
    ),
    (build_lead_payload, {"name": "A", "custom": {"External ID": "x"}}, "lead.custom", "'custom.'"),
    (build_lead_update, {}, "lead", "at least one field to update"),
    (build_contact_payload, {"lead_id": None, "name": "A"}, "contact.lead_id", "'lead_'"),
    (build_contact_payload, {"lead_id": LEAD}, "contact.name", "at least one of name"),
    (build_contact_update, {}, "contact", "at least one field to update"),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "value": 500},
        "opportunity.value_unit",
        "required with value",
    ),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "value_unit": "cents"},
        "opportunity.value",
        "an amount",
    ),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "value": 5, "value_unit": "dollars"},
        "opportunity.value_unit",
        "'units' | 'cents'",
    ),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "value": 4.999, "value_unit": "units"},
        "opportunity.value",
        "at most 2 decimals",
    ),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "value": 4.5, "value_unit": "cents"},
        "opportunity.value",
        "an integer",
    ),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "value": -1, "value_unit": "units"},
        "opportunity.value",
        "non-negative",
    ),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "confidence": 101},
        "opportunity.confidence",
        "0 to 100",
    ),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "value_period": "weekly"},
        "opportunity.value_period",
        "'one_time' | 'monthly' | 'annual'",
    ),
    (
        build_opportunity_payload,
        {"lead_id": LEAD, "date_won": "2026-03-10T10:00:00Z"},
        "opportunity.date_won",
        "ISO 8601 date",
    ),
    (build_opportunity_payload, {"lead_id": None}, "opportunity.lead_id", "'lead_'"),
    (build_opportunity_update, {}, "opportunity", "at least one field to update"),
]


@pytest.mark.parametrize(
    ("builder", "kwargs", "field", "allowed"),
    BAD_INPUTS,
    ids=[f"{row[2]}-{i}" for i, row in enumerate(BAD_INPUTS)],
)
def test_bad_inputs_name_field_value_and_allowed(builder, kwargs, field, allowed):
    with pytest.raises(ClosePayloadError) as err:
        builder(**kwargs)
    assert err.value.field == field
    assert allowed in err.value.allowed
    assert str(err.value).startswith(f"{field}: got {err.value.value!r}; allowed: ")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"is_complete": "true"}, {"is_complete": True}),
        ({"is_complete": False}, {"is_complete": False}),
        ({"date": date(2026, 4, 1), "text": "x"}, {"date": "2026-04-01", "text": "x"}),
        ({"assigned_to": USER}, {"assigned_to": USER}),
    ],
)
def test_task_update(kwargs, expected):
    assert build_task_update(**kwargs) == expected


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "task"),
        ({"text": ""}, "task.text"),
        ({"date": "soon"}, "task.date"),
        ({"assigned_to": "bob"}, "task.assigned_to"),
    ],
)
def test_task_update_rejects(kwargs, field):
    with pytest.raises(ClosePayloadError) as err:
        build_task_update(**kwargs)
    assert err.value.field == field
