"""NUL, CR/LF and length limits on texts, and custom values checked against their fields."""

from __future__ import annotations

import pytest

from airflow_provider_close.client import ClosePayloadError
from airflow_provider_close.client.payloads import (
    build_contact_payload,
    build_email_payload,
    build_lead_payload,
    build_note_payload,
    build_sms_payload,
    build_task_payload,
)
from airflow_provider_close.client.payloads.contact_points import check_email_address, e164_phone
from airflow_provider_close.client.payloads.custom_types import (
    CustomFieldDefinition,
    checked_custom_value,
)
from airflow_provider_close.client.payloads.scalars import check_url
from airflow_provider_close.client.payloads.text import (
    EMAIL_BODY_MAX,
    MULTI_LINE_MAX,
    SINGLE_LINE_MAX,
    SMS_TEXT_MAX,
    URL_MAX,
)

LEAD = "lead_" + "L" * 43
USER = "user_" + "U" * 43
SMS = {"mode": "log", "lead_id": LEAD, "status": "inbox", "remote_phone": "+14155550123"}
EMAIL = {"mode": "log", "lead_id": LEAD, "status": "draft", "to": ["a@b.co"]}

REFUSED = [
    # (builder, kwargs, field, fragment of allowed)
    (build_lead_payload, {"name": "Acme\nCorp"}, "lead.name", "single line"),
    (build_lead_payload, {"name": "Acme\rCorp"}, "lead.name", "single line"),
    (build_lead_payload, {"name": "Acme\x00"}, "lead.name", "NUL"),
    (build_lead_payload, {"name": "x" * (SINGLE_LINE_MAX + 1)}, "lead.name", "at most 998"),
    (build_lead_payload, {"name": "A", "description": "d\x00"}, "lead.description", "NUL"),
    (
        build_lead_payload,
        {"name": "A", "description": "d" * (MULTI_LINE_MAX + 1)},
        "lead.description",
        "at most 100000",
    ),
    (
        build_lead_payload,
        {"name": "A", "addresses": [{"city": "Paris\nTX"}]},
        "lead.addresses[0].city",
        "single line",
    ),
    (build_lead_payload, {"name": "A", "status_label": "Hot\n"}, "lead.status", "single line"),
    (
        build_lead_payload,
        {"name": "A", "url": "https://x.example/" + "p" * URL_MAX},
        "lead.url",
        "2000",
    ),
    (build_contact_payload, {"lead_id": LEAD, "name": "Ada\nL"}, "contact.name", "single line"),
    (
        build_contact_payload,
        {"lead_id": LEAD, "name": "A", "title": "C\x00O"},
        "contact.title",
        "NUL",
    ),
    (
        build_contact_payload,
        {"lead_id": LEAD, "name": "A", "phones": ["+1415555\n0123"]},
        "contact.phones[0]",
        "E.164",
    ),
    (
        build_contact_payload,
        {"lead_id": LEAD, "name": "A", "emails": ["ada@example.com\n"]},
        "contact.emails[0]",
        "email address",
    ),
    (build_email_payload, {**EMAIL, "subject": "Hi\r\nBcc: x@y.z"}, "email.subject", "single line"),
    (
        build_email_payload,
        {**EMAIL, "subject": "s", "body_text": "b\x00"},
        "email.body_text",
        "NUL",
    ),
    (
        build_email_payload,
        {**EMAIL, "body_html": "h" * (EMAIL_BODY_MAX + 1)},
        "email.body_html",
        "at most 1000000",
    ),
    (build_sms_payload, {**SMS, "text": "t" * (SMS_TEXT_MAX + 1)}, "sms.text", "at most 1000"),
    (build_sms_payload, {**SMS, "text": "\x00"}, "sms.text", "NUL"),
    (
        build_note_payload,
        {"lead_id": LEAD, "note": "n", "title": "T\nU"},
        "note.title",
        "single line",
    ),
    (build_note_payload, {"lead_id": LEAD, "note": "n\x00"}, "note.note", "NUL"),
    (build_task_payload, {"lead_id": LEAD, "text": "t\x00"}, "task.text", "NUL"),
]


@pytest.mark.parametrize(
    "case", REFUSED, ids=[f"{i:02d}-{row[2]}" for i, row in enumerate(REFUSED)]
)
def test_bad_texts_are_refused_naming_the_field(case: tuple[object, ...]) -> None:
    builder, kwargs, field, allowed = case
    with pytest.raises(ClosePayloadError) as err:
        builder(**kwargs)  # type: ignore[operator]
    assert err.value.field == field
    assert allowed in err.value.allowed


def test_an_over_long_text_is_shown_shortened_in_the_error() -> None:
    with pytest.raises(ClosePayloadError) as err:
        build_lead_payload(name="x" * 1_000_000)
    assert len(str(err.value)) < 200
    assert "(1000000 characters)" in str(err.value)


def test_texts_at_the_limits_and_multi_line_texts_pass() -> None:
    assert build_lead_payload(name="x" * SINGLE_LINE_MAX, description="a\nb")["name"]
    assert build_sms_payload(**SMS, text="t" * SMS_TEXT_MAX)["text"]
    assert build_note_payload(lead_id=LEAD, note="line 1\r\nline 2")["note"]
    assert e164_phone("p", "+1 (415) 555-0123") == "+14155550123"
    assert check_email_address("e", " ada@example.com ") == "ada@example.com"
    assert check_url("u", "https://x.example/" + "p" * (URL_MAX - 18))


NUMBER = CustomFieldDefinition("cf_n", "Lead Score", "number")
CHOICES = CustomFieldDefinition("cf_c", "Industry", "choices", ("SaaS", "Retail"))
MULTI = CustomFieldDefinition("cf_m", "Tags", "choices", ("a", "b"), multiple=True)
DATE = CustomFieldDefinition("cf_d", "Renewal", "date")
MOMENT = CustomFieldDefinition("cf_t", "Last Touch", "datetime")
USERS = CustomFieldDefinition("cf_u", "Owner", "user", multiple=True)
CONTACT = CustomFieldDefinition("cf_k", "Champion", "contact")
TEXT = CustomFieldDefinition("cf_x", "External ID", "text")

ACCEPTED = [
    (NUMBER, 42, 42),
    (NUMBER, "12", 12),
    (NUMBER, " 3.5 ", 3.5),
    (CHOICES, "SaaS", "SaaS"),
    (MULTI, ["a", "b"], ["a", "b"]),
    (MULTI, "a", "a"),
    (DATE, "2026-03-10", "2026-03-10"),
    (MOMENT, "2026-03-10T15:00:00+02:00", "2026-03-10T13:00:00+00:00"),
    (USERS, [USER], [USER]),
    (TEXT, "X-1", "X-1"),
    (TEXT, 1001, 1001),
    (NUMBER, None, None),
]
REFUSED_VALUES = [
    (NUMBER, "lots", "a number (custom field 'Lead Score'"),
    (NUMBER, True, "a number"),
    (NUMBER, "nan", "a number"),
    (NUMBER, [1], "takes no list"),
    (CHOICES, "Mining", "one of 'Industry''s choices: 'SaaS' | 'Retail'"),
    (MULTI, ["a", "z"], "'a' | 'b'"),
    (DATE, "10/03/2026", "ISO 8601 date"),
    (MOMENT, "2026-03-10T15:00:00", "UTC offset"),
    (USERS, ["alice@example.com"], "'user_'"),
    (CONTACT, LEAD, "'cont_'"),
    (TEXT, "x\x00", "NUL"),
    (TEXT, {"a": 1}, "a string"),
]


@pytest.mark.parametrize(("definition", "value", "sent"), ACCEPTED)
def test_custom_values_that_fit_their_field(
    definition: CustomFieldDefinition, value: object, sent: object
) -> None:
    assert checked_custom_value("lead.custom_fields['f']", definition, value) == sent


@pytest.mark.parametrize(("definition", "value", "allowed"), REFUSED_VALUES)
def test_custom_values_of_the_wrong_type_are_refused(
    definition: CustomFieldDefinition, value: object, allowed: str
) -> None:
    with pytest.raises(ClosePayloadError) as err:
        checked_custom_value("lead.custom_fields['f']", definition, value)
    assert err.value.field.startswith("lead.custom_fields['f']")
    assert allowed in err.value.allowed


def test_definitions_are_read_from_closes_json() -> None:
    item = {
        "id": "cf_1",
        "name": "Tags",
        "type": "choices",
        "choices": ["a"],
        "accepts_multiple_values": True,
    }
    assert CustomFieldDefinition.from_json(item) == CustomFieldDefinition(
        "cf_1", "Tags", "choices", ("a",), multiple=True
    )
