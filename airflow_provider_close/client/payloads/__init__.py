"""Validation and payload builders for every Close write (pure: no HTTP, no Airflow).

Each builder validates one pydantic model (its fields typed with :mod:`.types`) through
``client/validation.py`` and raises ``ClosePayloadError(field, value, allowed)`` before any
request is made. The plain checks behind those types (ids, dates, enums, texts, phones,
URLs) stay public and pydantic-free, for operators and other payloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_close.client.lazy_exports import exports_on_first_use

if TYPE_CHECKING:
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

#: Public name -> the module that defines it; imported on first use (DAG files stay cheap).
_HOMES: dict[str, str] = {
    "CallPayload": "airflow_provider_close.client.payloads.call",
    "EmailPayload": "airflow_provider_close.client.payloads.email",
    "NotePayload": "airflow_provider_close.client.payloads.note",
    "SmsPayload": "airflow_provider_close.client.payloads.sms",
    "TaskPayload": "airflow_provider_close.client.payloads.task",
    "build_call_payload": "airflow_provider_close.client.payloads.call",
    "build_contact_payload": "airflow_provider_close.client.payloads.contact",
    "build_contact_update": "airflow_provider_close.client.payloads.contact",
    "build_email_payload": "airflow_provider_close.client.payloads.email",
    "build_lead_payload": "airflow_provider_close.client.payloads.lead",
    "build_lead_update": "airflow_provider_close.client.payloads.lead",
    "build_note_payload": "airflow_provider_close.client.payloads.note",
    "build_opportunity_payload": "airflow_provider_close.client.payloads.opportunity",
    "build_opportunity_update": "airflow_provider_close.client.payloads.opportunity",
    "build_sms_payload": "airflow_provider_close.client.payloads.sms",
    "build_task_payload": "airflow_provider_close.client.payloads.task",
}


__getattr__ = exports_on_first_use(__name__, _HOMES)
