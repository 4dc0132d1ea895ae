"""Activities, tasks and opportunities of the ``demo`` seed, spread over the last 14 days.

They are created through the same model functions as the HTTP endpoints (so their shape is
identical), then the seed's events are dropped: the demo org looks pre-existing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.activities import ActivityRules, create_activity
from airflow_provider_close.sandbox.models.calls import CALL_RULES
from airflow_provider_close.sandbox.models.emails import EMAIL_RULES
from airflow_provider_close.sandbox.models.notes import NOTE_RULES
from airflow_provider_close.sandbox.models.opportunities import create_opportunity
from airflow_provider_close.sandbox.models.sms import SMS_RULES
from airflow_provider_close.sandbox.models.tasks import create_task
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState
from airflow_provider_close.sandbox.timestamps import format_date, format_timestamp

__all__ = ["SEED_META", "seed_activities"]

SEED_META = RequestMeta("POST", "/api/v1/_seed/", None)
_KINDS = ("call", "sms", "note", "email", "meeting")


def _moment(state: SandboxState, rng: random.Random) -> str:
    ago = timedelta(days=rng.randrange(14), hours=rng.randrange(24), minutes=rng.randrange(60))
    return format_timestamp(state.now() - ago)


def _payload(kind: str, lead: Record, contact: Record, rng: random.Random) -> dict[str, Any]:
    phone = contact["phones"][0]["phone"]
    email = contact["emails"][0]["email"]
    if kind == "call":
        return {
            "direction": rng.choice(("inbound", "outbound")),
            "status": "completed",
            "duration": rng.randrange(0, 1800),
            "phone": phone,
            "note": f"Call with {contact['name']}",
        }
    if kind == "sms":
        return {
            "status": rng.choice(("inbox", "sent")),
            "text": f"Hi {contact['name']}",
            "remote_phone": phone,
            "local_phone": "+16505550100",
        }
    if kind == "email":
        return {
            "status": "sent",
            "sender": '"Sales" <sales@example.com>',
            "to": [email],
            "subject": f"Following up with {lead['name']}",
            "body_text": "Hello!",
        }
    return {"note": f"Notes about {lead['name']}", "title": "Account notes"}


_RULES: dict[str, ActivityRules] = {
    "call": CALL_RULES,
    "sms": SMS_RULES,
    "email": EMAIL_RULES,
    "note": NOTE_RULES,
}


def _meeting(state: SandboxState, lead: Record, contact: Record, moment: str) -> None:
    state.insert_activity(
        "meeting",
        lead_id=lead["id"],
        contact_id=contact["id"],
        date_created=moment,
        activity_at=moment,
        starts_at=moment,
        ends_at=moment,
        title=f"Demo for {lead['name']}",
        status="completed",
        duration=1800,
        user_note="",
        user_note_html="",
        outcome_id=None,
        attendees=[
            {
                "email": contact["emails"][0]["email"],
                "name": contact["name"],
                "status": "yes",
                "is_organizer": False,
                "user_id": None,
                "contact_id": contact["id"],
            }
        ],
    )


def _activities(state: SandboxState, rng: random.Random, lead: Record, contact: Record) -> None:
    for kind in rng.sample(_KINDS, k=rng.randrange(2, 5)):
        moment = _moment(state, rng)
        if kind == "meeting":
            _meeting(state, lead, contact, moment)
            continue
        payload = _payload(kind, lead, contact, rng)
        payload |= {
            "lead_id": lead["id"],
            "contact_id": contact["id"],
            "user_id": rng.choice(list(state.users)),
            "date_created": moment,
            "activity_at": moment,
        }
        create_activity(state, _RULES[kind], payload, {}, SEED_META)


def _task_and_opportunity(state: SandboxState, rng: random.Random, lead: Record) -> None:
    due = state.now().date() + timedelta(days=rng.randrange(-3, 10))
    create_task(
        state,
        {
            "lead_id": lead["id"],
            "text": f"Follow up with {lead['name']}",
            "date": format_date(due),
            "assigned_to": rng.choice(list(state.users)),
        },
        SEED_META,
    )
    if rng.random() < 0.6:
        status = rng.choice(list(state.opportunity_statuses))
        create_opportunity(
            state,
            {
                "lead_id": lead["id"],
                "status_id": status,
                "value": rng.randrange(10, 500) * 10_000,
                "value_period": rng.choice(("one_time", "monthly", "annual")),
                "confidence": rng.randrange(0, 101, 10),
                "note": "Seeded deal",
            },
            SEED_META,
        )


def seed_activities(state: SandboxState, rng: random.Random) -> None:
    """Add activities, tasks and opportunities to the seeded leads (then drop their events).

    :param state: the state with seeded leads and contacts.
    :param rng: the seed's random generator.
    """
    with state.lock:
        for lead in list(state.leads.values()):
            contacts = [c for c in state.contacts.values() if c["lead_id"] == lead["id"]]
            _activities(state, rng, lead, contacts[0])
            _task_and_opportunity(state, rng, lead)
        state.events.clear()
        state.revision += 1
