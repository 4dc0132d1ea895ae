"""Tasks: types, dates (date or datetime), views, completion (close-api.md §6.8)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.checks import REQUIRED, Problems, actor_fields
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState
from airflow_provider_close.sandbox.timestamps import format_timestamp, parse_moment

__all__ = [
    "BULK_FIELDS",
    "CREATABLE_TASK_TYPES",
    "check_bulk_update",
    "create_task",
    "render_task",
    "task_view",
    "update_task",
]

CREATABLE_TASK_TYPES = ("lead", "outgoing_call")
#: The only fields ``PUT /task/?<filters>`` may change.
BULK_FIELDS = ("assigned_to", "date", "is_complete")


def _user_name(state: SandboxState, user_id: str | None) -> str | None:
    user = state.users.get(user_id or "")
    return f"{user['first_name']} {user['last_name']}" if user else None


def _task_date(payload: Mapping[str, Any], problems: Problems) -> str | None:
    raw = payload.get("date")
    if raw is None:
        return None
    moment = parse_moment(raw) if isinstance(raw, str) else None
    if moment is None:
        problems.add("date", "Enter a valid date or datetime.")
        return None
    return str(raw) if len(str(raw)) == 10 else format_timestamp(moment)


def task_view(task: Mapping[str, Any], now: datetime) -> str:
    """Return ``inbox``, ``future`` or ``archive`` for a task at time ``now`` (UTC days).

    :param task: the task.
    :param now: the current time.
    """
    if task.get("is_complete"):
        return "archive"
    due = parse_moment(task["date"]) if task.get("date") else None
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=now.tzinfo)
    return "inbox" if due is None or due < tomorrow else "future"


def render_task(state: SandboxState, task: Record) -> Record:
    """Return the task with its ``view`` computed for the current clock.

    :param state: the sandbox state.
    :param task: the stored task.
    """
    return {**task, "view": task_view(task, state.now())}


def _apply(
    state: SandboxState, record: Record, payload: Mapping[str, Any], problems: Problems
) -> None:
    if "date" in payload:
        record["date"] = _task_date(payload, problems)
        record["due_date"] = record["date"]
        record["is_dateless"] = record["date"] is None
    if payload.get("assigned_to") is not None:
        record["assigned_to"] = problems.reference(payload, "assigned_to", state.users)
        record["assigned_to_name"] = _user_name(state, record["assigned_to"])
    if "contact_id" in payload:
        record["contact_id"] = problems.reference(payload, "contact_id", state.contacts)
        contact = state.contacts.get(record["contact_id"] or "")
        record["contact_name"] = contact["name"] if contact else None
    if "is_complete" in payload:
        if not isinstance(payload["is_complete"], bool):
            problems.add("is_complete", "Must be a boolean.")
        else:
            record["is_complete"] = payload["is_complete"]
    if "text" in payload and problems.texts(payload, ("text",)):
        if record["_type"] != "lead":
            problems.add("text", "Only lead tasks have editable text.")
        record["text"] = str(payload["text"] or "")
    record["view"] = task_view(record, state.now())


def _new_task(state: SandboxState, payload: Mapping[str, Any], problems: Problems) -> Record:
    task_type = payload.get("_type") or "lead"
    problems.enum(payload, "_type", CREATABLE_TASK_TYPES)
    if not payload.get("lead_id"):
        problems.add("lead_id", REQUIRED)
    lead_id = problems.reference(payload, "lead_id", state.leads)
    lead = state.leads.get(lead_id or "")
    return {
        "id": state.new_id("task"),
        "_type": task_type,
        "lead_id": lead_id,
        "lead_name": lead["name"] if lead else None,
        "contact_id": None,
        "contact_name": None,
        "assigned_to": state.me["id"],
        "assigned_to_name": _user_name(state, state.me["id"]),
        "text": "",
        "date": None,
        "due_date": None,
        "is_dateless": True,
        "is_complete": False,
        "view": "inbox",
        "object_type": None,
        "object_id": None,
        "organization_id": state.organization_id,
        **actor_fields(state.me, state.timestamp(), created=True),
    }


def create_task(state: SandboxState, payload: Mapping[str, Any], meta: RequestMeta) -> Record:
    """Validate and store a new task; return it.

    :param state: the sandbox state.
    :param payload: the POST body.
    :param meta: the request, for the event log.
    :raises ValidationFailed: bad type, missing/unknown lead, bad date or assignee.
    """
    problems = Problems()
    with state.lock:
        record = _new_task(state, payload, problems)
        _apply(state, record, {k: v for k, v in payload.items() if k != "_type"}, problems)
        problems.raise_if_any()
        return state.add("task", record, meta)


def _completed_activity(state: SandboxState, task: Record) -> Record:
    return state.insert_activity(
        "task_completed",
        log_event=True,
        lead_id=task["lead_id"],
        task_id=task["id"],
        task_text=task["text"],
        task_assigned_to=task["assigned_to"],
        task_assigned_to_name=task["assigned_to_name"],
    )


def update_task(
    state: SandboxState, task_id: str, payload: Mapping[str, Any], meta: RequestMeta
) -> Record:
    """Apply a partial update; completing a task also logs a ``TaskCompleted`` activity.

    :param state: the sandbox state.
    :param task_id: the task.
    :param payload: the PUT body.
    :param meta: the request, for the event log.
    :raises NotFound: no such task.
    :raises ValidationFailed: invalid values.
    """
    problems = Problems()
    with state.lock:
        current = state.get("task", task_id)
        record = dict(current)
        _apply(state, record, payload, problems)
        problems.raise_if_any()
        record.update(actor_fields(state.me, state.timestamp(), created=False))
        completed = record["is_complete"] and not current["is_complete"]
        stored = state.change("task", record, meta, action="completed" if completed else "updated")
        if completed:
            _completed_activity(state, stored)
        return stored


def check_bulk_update(payload: Mapping[str, Any]) -> None:
    """Refuse a bulk update body that changes more than ``assigned_to``/``date``/``is_complete``.

    :param payload: the PUT body.
    :raises ValidationFailed: another field is present.
    """
    problems = Problems()
    for name in payload:
        if name not in BULK_FIELDS:
            problems.add(name, "Only assigned_to, date and is_complete can be bulk-updated.")
    problems.raise_if_any()
