"""Bad inputs across the operators: each fails with field, value and what is allowed, and no
request reaches Close (the sandbox's request log stays empty)."""

from __future__ import annotations

import pytest

from airflow_provider_close.client import ClosePayloadError
from airflow_provider_close.operators.activities import (
    CloseCreateCallOperator,
    CloseCreateSmsOperator,
)
from airflow_provider_close.operators.contacts import (
    CloseCreateContactOperator,
    CloseUpdateContactOperator,
)
from airflow_provider_close.operators.deletions import (
    CloseDeleteActivityOperator,
    CloseDeleteCallOperator,
    CloseDeleteLeadOperator,
    CloseDeleteTaskOperator,
)
from airflow_provider_close.operators.leads import (
    CloseCreateLeadOperator,
    CloseGetLeadOperator,
    CloseUpdateLeadOperator,
)
from airflow_provider_close.operators.notes import CloseCreateNoteOperator, CloseGetNoteOperator
from airflow_provider_close.operators.opportunities import (
    CloseCreateOpportunityOperator,
    CloseUpdateOpportunityOperator,
)
from airflow_provider_close.operators.request import CloseRequestOperator
from airflow_provider_close.operators.tasks import CloseCreateTaskOperator, CloseUpdateTaskOperator
from tests.operators.fail_now import fails_now

LEAD = "lead_" + "L" * 43
CONT = "cont_" + "C" * 43
ACTI = "acti_" + "A" * 43
OPPO = "oppo_" + "O" * 43
TASK = "task_" + "T" * 43
PHONE = "+14155550123"
CALL = {"lead_id": LEAD, "direction": "outbound"}
SMS_LOG = {"mode": "log", "status": "inbox", "lead_id": LEAD, "remote_phone": PHONE, "text": "x"}
SMS_SEND = {**SMS_LOG, "mode": "send", "status": None, "local_phone": "+16505550100"}

BAD = [
    # (operator class, kwargs, field, fragment of "allowed")
    (
        CloseCreateCallOperator,
        {**CALL, "direction": "sideways"},
        "call.direction",
        "'inbound' | 'outbound'",
    ),
    (
        CloseCreateCallOperator,
        {**CALL, "lead_id": "call_" + "x" * 43},
        "call.lead_id",
        "'lead_' + 43 base62",
    ),
    (
        CloseCreateCallOperator,
        {**CALL, "lead_id": "lead_short"},
        "call.lead_id",
        "'lead_' + 43 base62",
    ),
    (CloseCreateCallOperator, {**CALL, "status": "answered"}, "call.status", "'completed'"),
    (CloseCreateCallOperator, {**CALL, "duration": -1}, "call.duration", "0 to 604800"),
    (CloseCreateCallOperator, {**CALL, "duration": "1h"}, "call.duration", "0 to 604800"),
    (CloseCreateCallOperator, {**CALL, "duration": 700000}, "call.duration", "0 to 604800"),
    (CloseCreateCallOperator, {**CALL, "phone": "555-0123"}, "call.phone", "E.164"),
    (
        CloseCreateCallOperator,
        {**CALL, "note": "a", "note_html": "<p>b</p>"},
        "call.note_html",
        "not both",
    ),
    (CloseCreateCallOperator, {**CALL, "note": ""}, "call.note", "non-empty"),
    (
        CloseCreateCallOperator,
        {**CALL, "recording_url": "http://r.example/1.mp3"},
        "call.recording_url",
        "https://",
    ),
    (
        CloseCreateCallOperator,
        {**CALL, "activity_at": "last tuesday"},
        "call.activity_at",
        "ISO 8601",
    ),
    (
        CloseCreateCallOperator,
        {**CALL, "activity_at": "2026-03-10T15:00:00"},
        "call.activity_at",
        "UTC offset",
    ),
    (CloseCreateCallOperator, {**CALL, "contact_id": LEAD}, "call.contact_id", "'cont_'"),
    (CloseCreateSmsOperator, {**SMS_LOG, "mode": "blast"}, "sms.mode", "'log' | 'send'"),
    (CloseCreateSmsOperator, {**SMS_LOG, "status": "outbox"}, "sms.status", "'inbox' | 'sent'"),
    (CloseCreateSmsOperator, {**SMS_LOG, "status": None}, "sms.status", "'inbox' | 'sent'"),
    (
        CloseCreateSmsOperator,
        {**SMS_SEND, "status": "sent"},
        "sms.status",
        "'outbox' | 'scheduled'",
    ),
    (CloseCreateSmsOperator, {**SMS_SEND, "local_phone": None}, "sms.local_phone", "mode='send'"),
    (
        CloseCreateSmsOperator,
        {**SMS_SEND, "status": "scheduled"},
        "sms.date_scheduled",
        "status='scheduled'",
    ),
    (
        CloseCreateSmsOperator,
        {**SMS_LOG, "template_id": "smstmpl_" + "t" * 22},
        "sms.template_id",
        "not both",
    ),
    (
        CloseCreateSmsOperator,
        {**SMS_LOG, "text": None},
        "sms.text",
        "exactly one of text or template_id",
    ),
    (
        CloseCreateSmsOperator,
        {**SMS_LOG, "remote_phone": "0800 FLOWERS"},
        "sms.remote_phone",
        "E.164",
    ),
    (
        CloseCreateSmsOperator,
        {**SMS_LOG, "template_id": "tmpl_x", "text": None},
        "sms.template_id",
        "'smstmpl_'",
    ),
    (CloseCreateTaskOperator, {"lead_id": LEAD, "text": "   "}, "task.text", "non-empty"),
    (
        CloseCreateTaskOperator,
        {"lead_id": LEAD, "text": "x", "date": "31/12/2026"},
        "task.date",
        "ISO 8601 date",
    ),
    (
        CloseCreateTaskOperator,
        {"lead_id": LEAD, "text": "x", "assigned_to": "alice@example.com"},
        "task.assigned_to",
        "'user_'",
    ),
    (
        CloseCreateTaskOperator,
        {"lead_id": LEAD, "text": "x", "is_complete": "done"},
        "task.is_complete",
        "True or False",
    ),
    (
        CloseCreateTaskOperator,
        {"lead_id": LEAD, "text": "x", "task_kind": "email_followup"},
        "task.task_type",
        "'lead' | 'outgoing_call'",
    ),
    (CloseUpdateTaskOperator, {"close_task_id": TASK}, "task", "at least one field to update"),
    (
        CloseUpdateTaskOperator,
        {"close_task_id": "noti_" + "n" * 43, "is_complete": True},
        "task.close_task_id",
        "'task_'",
    ),
    (CloseCreateNoteOperator, {"lead_id": LEAD}, "note.note", "exactly one of note or note_html"),
    (
        CloseCreateNoteOperator,
        {"lead_id": LEAD, "note": "x", "note_html": "<p>x</p>"},
        "note.note_html",
        "not both",
    ),
    (CloseCreateNoteOperator, {"lead_id": CONT, "note": "x"}, "note.lead_id", "'lead_'"),
    (
        CloseCreateNoteOperator,
        {"lead_id": LEAD, "note": "x", "pinned": "sometimes"},
        "note.pinned",
        "True or False",
    ),
    (CloseCreateLeadOperator, {"name": ""}, "lead.name", "non-empty"),
    (CloseCreateLeadOperator, {"name": "A", "url": "acme.example"}, "lead.url", "http"),
    (
        CloseCreateLeadOperator,
        {"name": "A", "if_exists": "merge"},
        "lead.if_exists",
        "'create' | 'skip' | 'update' | 'fail'",
    ),
    (
        CloseCreateLeadOperator,
        {"name": "A", "if_exists": "skip"},
        "lead.match_on",
        "required with if_exists",
    ),
    (
        CloseCreateLeadOperator,
        {"name": "A", "if_exists": "skip", "match_on": "External ID"},
        "lead.match_on",
        "custom_fields keys",
    ),
    (
        CloseCreateLeadOperator,
        {"name": "A", "contacts": [{"title": "CEO"}]},
        "lead.contacts[0]",
        "at least one of name, emails, phones",
    ),
    (
        CloseCreateLeadOperator,
        {"name": "A", "contacts": [{"name": "B", "emails": ["b@"]}]},
        "lead.contacts[0].emails[0]",
        "email address",
    ),
    (
        CloseCreateLeadOperator,
        {"name": "A", "addresses": [{"street": "1 Main"}]},
        "lead.addresses[0]",
        "address_1",
    ),
    (
        CloseCreateLeadOperator,
        {"name": "A", "custom_fields": {"External ID": {"a": 1}}},
        "lead.custom_fields['External ID']",
        "a string, number",
    ),
    (CloseCreateLeadOperator, {"name": "A", "status": "   "}, "lead.status", "non-empty"),
    (
        CloseCreateLeadOperator,
        {"name": "A", "if_exists": "skip", "match_on": "contact_email"},
        "lead.contacts",
        "contacts with emails",
    ),
    (
        CloseCreateLeadOperator,
        {
            "name": "A",
            "if_exists": "skip",
            "match_on": "External ID",
            "custom_fields": {"External ID": ""},
        },
        "lead.custom_fields['External ID']",
        "a value (match_on='External ID')",
    ),
    (CloseUpdateLeadOperator, {"lead_id": LEAD}, "lead", "at least one field to update"),
    (CloseUpdateLeadOperator, {"lead_id": "lead", "name": "x"}, "lead.lead_id", "'lead_'"),
    (CloseGetLeadOperator, {"object_id": OPPO}, "lead_id", "'lead_'"),
    (CloseGetNoteOperator, {"object_id": "note_" + "n" * 43}, "activity_id", "'acti_'"),
    (
        CloseCreateContactOperator,
        {"lead_id": LEAD},
        "contact.name",
        "at least one of name, emails, phones",
    ),
    (
        CloseCreateContactOperator,
        {"lead_id": LEAD, "name": "A", "phones": ["12"]},
        "contact.phones[0]",
        "E.164",
    ),
    (
        CloseCreateContactOperator,
        {"lead_id": LEAD, "name": "A", "emails": "a@b.co"},
        "contact.emails",
        "a list",
    ),
    (CloseUpdateContactOperator, {"contact_id": CONT}, "contact", "at least one field to update"),
    (
        CloseUpdateContactOperator,
        {"contact_id": LEAD, "name": "x"},
        "contact.contact_id",
        "'cont_'",
    ),
    (
        CloseCreateOpportunityOperator,
        {"lead_id": LEAD, "value": 500},
        "opportunity.value_unit",
        "required with value",
    ),
    (
        CloseCreateOpportunityOperator,
        {"lead_id": LEAD, "value_unit": "units"},
        "opportunity.value",
        "an amount",
    ),
    (
        CloseCreateOpportunityOperator,
        {"lead_id": LEAD, "value": 5, "value_unit": "dollars"},
        "opportunity.value_unit",
        "'units' | 'cents'",
    ),
    (
        CloseCreateOpportunityOperator,
        {"lead_id": LEAD, "value": "12.345", "value_unit": "units"},
        "opportunity.value",
        "at most 2 decimals",
    ),
    (
        CloseCreateOpportunityOperator,
        {"lead_id": LEAD, "value": 9.5, "value_unit": "cents"},
        "opportunity.value",
        "an integer",
    ),
    (
        CloseCreateOpportunityOperator,
        {"lead_id": LEAD, "confidence": 150},
        "opportunity.confidence",
        "0 to 100",
    ),
    (
        CloseCreateOpportunityOperator,
        {"lead_id": LEAD, "value_period": "weekly"},
        "opportunity.value_period",
        "'one_time' | 'monthly' | 'annual'",
    ),
    (
        CloseCreateOpportunityOperator,
        {"lead_id": LEAD, "pipeline_id": "pipe_x"},
        "opportunity.pipeline_id",
        "'pipe_' + 22",
    ),
    (
        CloseUpdateOpportunityOperator,
        {"opportunity_id": OPPO},
        "opportunity",
        "at least one field to update",
    ),
    (
        CloseUpdateOpportunityOperator,
        {"opportunity_id": OPPO, "date_won": "yesterday"},
        "opportunity.date_won",
        "ISO 8601 date",
    ),
    (
        CloseDeleteLeadOperator,
        {"lead_id": LEAD},
        "delete.acknowledge_cascade",
        "True: deleting a lead",
    ),
    (
        CloseDeleteLeadOperator,
        {"lead_id": LEAD, "acknowledge_cascade": "yes"},
        "delete.acknowledge_cascade",
        "True",
    ),
    (CloseDeleteCallOperator, {"activity_id": "call_" + "c" * 43}, "delete.activity_id", "'acti_'"),
    (
        CloseDeleteActivityOperator,
        {"activity_type": "fax", "activity_id": ACTI},
        "delete.activity_type",
        "'call' | 'sms'",
    ),
    (
        CloseDeleteTaskOperator,
        {"close_task_id": "noti_" + "n" * 43},
        "delete.close_task_id",
        "'task_'",
    ),
    (
        CloseRequestOperator,
        {"method": "PATCH", "endpoint": "lead/"},
        "request.method",
        "'GET' | 'POST' | 'PUT' | 'DELETE'",
    ),
    (
        CloseRequestOperator,
        {"method": "GET", "endpoint": "https://evil.example/steal/"},
        "request.endpoint",
        "relative",
    ),
    (
        CloseRequestOperator,
        {"method": "GET", "endpoint": "lead/../../admin/"},
        "request.endpoint",
        "relative",
    ),
    (
        CloseRequestOperator,
        {"method": "GET", "endpoint": "lead/?query=x"},
        "request.endpoint",
        "relative",
    ),
    (
        CloseRequestOperator,
        {"method": "DELETE", "endpoint": f"task/{TASK}/", "body": {"a": 1}},
        "request.body",
        "None for DELETE",
    ),
    # texts: NUL anywhere, CR/LF in single-line fields, lengths (client/payloads/text.py)
    (CloseCreateLeadOperator, {"name": "Acme\r\nCorp"}, "lead.name", "single line"),
    (CloseCreateLeadOperator, {"name": "x" * 1_000_000}, "lead.name", "at most 998"),
    (CloseCreateLeadOperator, {"name": "A", "description": "\x00"}, "lead.description", "NUL"),
    (CloseUpdateLeadOperator, {"lead_id": LEAD, "name": "A\nB"}, "lead.name", "single line"),
    (
        CloseCreateContactOperator,
        {"lead_id": LEAD, "name": "A", "phones": ["+14155550123\n"]},
        "contact.phones[0]",
        "E.164",
    ),
    (
        CloseCreateContactOperator,
        {"lead_id": LEAD, "name": "A", "emails": ["a@b.co\r\nBcc: c@d.co"]},
        "contact.emails[0]",
        "email address",
    ),
    (CloseUpdateContactOperator, {"contact_id": CONT, "title": "\x00"}, "contact.title", "NUL"),
    (CloseCreateSmsOperator, {**SMS_LOG, "text": "t" * 1001}, "sms.text", "at most 1000"),
    (CloseCreateTaskOperator, {"lead_id": LEAD, "text": "a\x00b"}, "task.text", "NUL"),
    (
        CloseCreateNoteOperator,
        {"lead_id": LEAD, "note": "n", "title": "T\nU"},
        "note.title",
        "single line",
    ),
    (CloseCreateCallOperator, {**CALL, "note": "\x00"}, "call.note", "NUL"),
    (
        CloseUpdateOpportunityOperator,
        {"opportunity_id": OPPO, "note": "n" * 100_001},
        "opportunity.note",
        "at most 100000",
    ),
]


CUSTOM_BAD = [
    # (operator class, kwargs, field, fragment of "allowed"): needs the field definitions
    (
        CloseCreateLeadOperator,
        {"name": "A", "custom_fields": {"Lead Score": "lots"}},
        "lead.custom_fields['Lead Score']",
        "a number",
    ),
    (
        CloseCreateLeadOperator,
        {"name": "A", "custom_fields": {"Industry": "Mining"}},
        "lead.custom_fields['Industry']",
        "'Industry''s choices: ",
    ),
    (
        CloseCreateLeadOperator,
        {"name": "A", "custom_fields": {"Industry": ["SaaS", "Retail"]}},
        "lead.custom_fields['Industry']",
        "takes no list",
    ),
    (
        CloseUpdateLeadOperator,
        {"lead_id": LEAD, "custom_fields": {"lead score": True}},
        "lead.custom_fields['lead score']",
        "a number",
    ),
    (
        CloseCreateContactOperator,
        {"lead_id": LEAD, "name": "A", "custom_fields": {"LinkedIn": "in/\x00"}},
        "contact.custom_fields['LinkedIn']",
        "NUL",
    ),
]


def _refusal(context, case) -> ClosePayloadError:
    """Run the operator of a table row; return its error, checked against the row."""
    operator_class, kwargs, field, allowed = case
    with fails_now(ClosePayloadError) as err:
        operator_class(task_id="bad", **kwargs).execute(context)
    assert err.value.field == field
    assert allowed in err.value.allowed
    return err.value


@pytest.mark.usefixtures("close_conn")
@pytest.mark.parametrize(
    "case",
    CUSTOM_BAD,
    ids=[f"{i:02d}-{row[0].__name__}-{row[2]}" for i, row in enumerate(CUSTOM_BAD)],
)
def test_a_custom_value_of_the_wrong_type_is_refused_after_reading_definitions_only(
    seeded_sandbox, context, case
):
    _refusal(context, case)
    sent = [(r.method, r.path) for r in seeded_sandbox.requests]
    assert sent  # the definitions were read...
    assert all(method == "GET" and path.startswith("/custom_field/") for method, path in sent)


def test_the_table_covers_at_least_forty_inputs_and_every_operator():
    assert len(BAD) >= 40
    assert len({row[0] for row in BAD}) == 18


@pytest.mark.usefixtures("close_conn")
@pytest.mark.parametrize(
    "case", BAD, ids=[f"{i:02d}-{row[0].__name__}-{row[2]}" for i, row in enumerate(BAD)]
)
def test_bad_input_is_rejected_before_any_request(sandbox, context, case):
    error = _refusal(context, case)
    assert str(error) == f"{error.field}: got {error.value!r}; allowed: {error.allowed}"
    assert sandbox.requests == []
    assert sandbox.api_key not in str(error)
