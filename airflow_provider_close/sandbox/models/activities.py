"""Fields every activity shares, and the create/update/delete flow for all activity types."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_close.sandbox.errors import NotFound
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.checks import REQUIRED, Problems, actor_fields
from airflow_provider_close.sandbox.models.custom_values import apply_custom_values
from airflow_provider_close.sandbox.records import ACTIVITY_TYPE_NAMES, Record
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["ActivityRules", "ActivityWrite", "create_activity", "get_activity", "update_activity"]


@dataclass(frozen=True)
class ActivityWrite:
    """Everything a type-specific step needs while building or updating an activity.

    :param state: the sandbox state.
    :param record: the record being built (changed in place).
    :param payload: the request body.
    :param problems: where field errors go.
    :param query: the query parameters of the request.
    """

    state: SandboxState
    record: Record
    payload: Mapping[str, Any]
    problems: Problems
    query: Mapping[str, str]


#: Builds or updates the type-specific fields of an activity.
FieldsStep = Callable[[ActivityWrite], None]
#: Runs after the record is stored (e.g. an outbox SMS being sent): (state, record, meta).
AfterWrite = Callable[[SandboxState, Record, RequestMeta], Record]


@dataclass(frozen=True)
class ActivityRules:
    """How one activity type is created and updated.

    :param kind: the slug (``call``, ``sms``…).
    :param on_create: fills type fields on create.
    :param on_update: applies a PUT body to type fields.
    :param after_write: follow-up once a create or update is stored (default: nothing).
    """

    kind: str
    on_create: FieldsStep
    on_update: FieldsStep
    after_write: AfterWrite | None = None


def _common(
    state: SandboxState, record: Record, payload: Mapping[str, Any], problems: Problems
) -> None:
    if "lead_id" in payload:
        record["lead_id"] = problems.reference(payload, "lead_id", state.leads)
    if "contact_id" in payload:
        record["contact_id"] = problems.reference(payload, "contact_id", state.contacts)
    if payload.get("user_id") is not None:
        record["user_id"] = problems.reference(payload, "user_id", state.users)
        user = state.users.get(record["user_id"])
        if user:
            record["user_name"] = f"{user['first_name']} {user['last_name']}"
    for name in ("activity_at", "date_created"):
        moment = problems.moment(payload, name)
        if moment:
            record[name] = moment
    definitions = state.custom_fields["activity"]
    apply_custom_values(record, payload, definitions, state.users, problems)


def get_activity(state: SandboxState, kind: str, activity_id: str) -> Record:
    """Return the stored activity if it is of type ``kind``, else raise Close's 404.

    :param state: the sandbox state.
    :param kind: the slug (``call``, ``sms``…).
    :param activity_id: the activity id.
    :raises NotFound: no such activity of this type.
    """
    record = state.activities.get(activity_id)
    if record is None or record["_type"] != ACTIVITY_TYPE_NAMES[kind]:
        raise NotFound(f"Empty query: {kind} activity {activity_id} does not exist.")
    return record


def _new_record(state: SandboxState, kind: str) -> Record:
    me = state.me
    return {
        "id": state.new_id("acti"),
        "_type": ACTIVITY_TYPE_NAMES[kind],
        "lead_id": None,
        "contact_id": None,
        "user_id": me["id"],
        "user_name": f"{me['first_name']} {me['last_name']}",
        "users": [],
        "organization_id": state.organization_id,
        **actor_fields(me, state.timestamp(), created=True),
    }


def create_activity(
    state: SandboxState,
    rules: ActivityRules,
    payload: Mapping[str, Any],
    query: Mapping[str, str],
    meta: RequestMeta,
) -> Record:
    """Validate and store a new activity of ``rules.kind``; return the stored record.

    ``date_created`` and ``activity_at`` are kept when given (imports); ``lead_id`` is required.

    :param state: the sandbox state.
    :param rules: the type's rules.
    :param payload: the POST body.
    :param query: the query parameters (e.g. ``send_to_inbox``).
    :param meta: the request, for the event log.
    :raises ValidationFailed: invalid fields.
    """
    problems = Problems()
    with state.lock:
        record = _new_record(state, rules.kind)
        if not payload.get("lead_id"):
            problems.add("lead_id", REQUIRED)
        _common(state, record, payload, problems)
        rules.on_create(ActivityWrite(state, record, payload, problems, query))
        problems.raise_if_any()
        record.setdefault("activity_at", record["date_created"])
        stored = state.add("activity", record, meta)
        return rules.after_write(state, stored, meta) if rules.after_write else stored


def update_activity(
    state: SandboxState,
    rules: ActivityRules,
    activity_id: str,
    payload: Mapping[str, Any],
    meta: RequestMeta,
) -> Record:
    """Apply a partial update to an activity of ``rules.kind``; return the new version.

    :param state: the sandbox state.
    :param rules: the type's rules.
    :param activity_id: the activity.
    :param payload: the PUT body.
    :param meta: the request, for the event log.
    :raises NotFound: no such activity of this type.
    :raises ValidationFailed: invalid fields.
    """
    problems = Problems()
    with state.lock:
        record = dict(get_activity(state, rules.kind, activity_id))
        _common(state, record, payload, problems)
        rules.on_update(ActivityWrite(state, record, payload, problems, {}))
        problems.raise_if_any()
        record.update(actor_fields(state.me, state.timestamp(), created=False))
        stored = state.change("activity", record, meta)
        return rules.after_write(state, stored, meta) if rules.after_write else stored
