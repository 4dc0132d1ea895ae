"""Validation and payload builders for every Close write (pure: no HTTP, no Airflow).

Each builder checks its inputs and raises ``ClosePayloadError(field, value, allowed)``
before any request is made. The small checks (ids, dates, enums, texts, phones, URLs)
are public so other payload builders (e.g. email) reuse them.
"""

from __future__ import annotations

from airflow_provider_close.client.payloads.call import CallPayload, build_call_payload
from airflow_provider_close.client.payloads.contact import (
    build_contact_payload,
    build_contact_update,
)
from airflow_provider_close.client.payloads.email import EmailPayload, build_email_payload
from airflow_provider_close.client.payloads.lead import build_lead_payload, build_lead_update
from airflow_provider_close.client.payloads.note import NotePayload, build_note_payload
from airflow_provider_close.client.payloads.opportunity import (
    build_opportunity_payload,
    build_opportunity_update,
)
from airflow_provider_close.client.payloads.sms import SmsPayload, build_sms_payload
from airflow_provider_close.client.payloads.task import TaskPayload, build_task_payload

__all__ = [
    "CallPayload",
    "EmailPayload",
    "NotePayload",
    "SmsPayload",
    "TaskPayload",
    "build_call_payload",
    "build_contact_payload",
    "build_contact_update",
    "build_email_payload",
    "build_lead_payload",
    "build_lead_update",
    "build_note_payload",
    "build_opportunity_payload",
    "build_opportunity_update",
    "build_sms_payload",
    "build_task_payload",
]
