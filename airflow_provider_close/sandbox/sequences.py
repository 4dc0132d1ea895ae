"""Sequences and sequence subscriptions (``/sequence/``, ``/sequence_subscription/``).

From Close's Sequences pages: ``POST /sequence/`` creates a sequence (``name`` required);
``POST /sequence_subscription/`` subscribes one contact (``sequence_id``, ``contact_id``,
``contact_email``, ``sender_account_id``, ``sender_name``, ``sender_email``, optional
``calls_assigned_to``) and answers 201; ``GET /sequence_subscription/`` needs at least one of
``sequence_id``, ``contact_id`` and ``lead_id`` and pages by ``_skip``/``_limit``.

Assumptions (listed in COVERAGE.md), the less convenient where Close is silent: subscribing a
contact twice creates a second subscription (no duplicate check); ``contact_email`` must be
one of the contact's emails; ``sender_account_id`` is checked for its ``emailacct_`` shape only
(the sandbox has no email accounts); subscriptions are listed oldest first and log no events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.errors import BadRequest, NotFound
from airflow_provider_close.sandbox.models.checks import (
    DOES_NOT_EXIST,
    REQUIRED,
    Problems,
    actor_fields,
)
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.state import SandboxState
from airflow_provider_close.sandbox.timestamps import format_naive

__all__ = [
    "LIST_FILTERS",
    "create_sequence",
    "create_subscription",
    "get_sequence",
    "get_subscription",
    "matching_subscriptions",
]

#: The filters ``GET /sequence_subscription/`` takes; at least one is required.
LIST_FILTERS = ("sequence_id", "contact_id", "lead_id")
_TEXT_FIELDS = ("contact_email", "sender_account_id", "sender_name", "sender_email")


def create_sequence(state: SandboxState, payload: Mapping[str, Any]) -> Record:
    """Validate and store a sequence; return it.

    :param state: the sandbox state.
    :param payload: the POST body.
    :raises ValidationFailed: no ``name``.
    """
    problems = Problems()
    if not payload.get("name"):
        problems.add("name", REQUIRED)
    problems.texts(payload, ("name",))
    problems.raise_if_any()
    stamp = state.timestamp()
    record: Record = {
        "id": state.new_id("seq"),
        "name": payload["name"],
        "status": payload.get("status", "active"),
        "steps": list(payload.get("steps") or []),
        "organization_id": state.organization_id,
        **actor_fields(state.me, stamp, created=True),
    }
    with state.lock:
        state.sequences[record["id"]] = record
        state.revision += 1
    return dict(record)


def get_sequence(state: SandboxState, sequence_id: str) -> Record:
    """Return a sequence. :raises NotFound: no such sequence."""
    found = state.sequences.get(sequence_id)
    if found is None:
        raise NotFound(f"Empty query: sequence {sequence_id} does not exist.")
    return dict(found)


def _contact_email_problem(contact: Record | None, email: Any) -> str | None:
    if contact is None or not isinstance(email, str):
        return None
    known = {str(item.get("email", "")).lower() for item in contact.get("emails") or []}
    return None if email.lower() in known else "This email does not belong to the contact."


def create_subscription(state: SandboxState, payload: Mapping[str, Any]) -> Record:
    """Validate and store a subscription of one contact to a sequence; return it.

    :param state: the sandbox state.
    :param payload: the POST body.
    :raises ValidationFailed: a missing field, an unknown sequence or contact, an email that
        is not the contact's, a malformed sender.
    """
    problems = Problems()
    for name in ("sequence_id", "contact_id", *_TEXT_FIELDS):
        if payload.get(name) in (None, ""):
            problems.add(name, REQUIRED)
    problems.texts(payload, _TEXT_FIELDS)
    with state.lock:
        sequence_id = problems.reference(payload, "sequence_id", state.sequences)
        contact_id = problems.reference(payload, "contact_id", state.contacts)
        contact = state.contacts.get(contact_id) if contact_id else None
        email_problem = _contact_email_problem(contact, payload.get("contact_email"))
        if email_problem:
            problems.add("contact_email", email_problem)
        account = payload.get("sender_account_id")
        if isinstance(account, str) and account and not account.startswith("emailacct_"):
            problems.add("sender_account_id", DOES_NOT_EXIST)
        sender = payload.get("sender_email")
        if isinstance(sender, str) and sender and "@" not in sender:
            problems.add("sender_email", "Enter a valid email address.")
        assigned = problems.listed(payload, "calls_assigned_to")
        problems.raise_if_any()
        assert contact is not None  # checked above
        stamp = format_naive(state.now())
        record: Record = {
            "id": state.new_id("sub"),
            "sequence_id": sequence_id,
            "contact_id": contact_id,
            "lead_id": contact["lead_id"],
            **{name: payload[name] for name in _TEXT_FIELDS},
            "calls_assigned_to": assigned,
            "status": "active",
            "created_by_id": state.me["id"],
            "updated_by_id": state.me["id"],
            "date_created": stamp,
            "date_updated": stamp,
            "organization_id": state.organization_id,
        }
        state.sequence_subscriptions[record["id"]] = record
        state.revision += 1
        return dict(record)


def get_subscription(state: SandboxState, subscription_id: str) -> Record:
    """Return a subscription. :raises NotFound: no such subscription."""
    found = state.sequence_subscriptions.get(subscription_id)
    if found is None:
        raise NotFound(f"Empty query: sequence_subscription {subscription_id} does not exist.")
    return dict(found)


def matching_subscriptions(state: SandboxState, params: Mapping[str, str]) -> list[Record]:
    """Return the subscriptions matching every given filter, oldest first.

    :param state: the sandbox state.
    :param params: the query parameters.
    :raises BadRequest: none of :data:`LIST_FILTERS` was given.
    """
    filters = {name: params[name] for name in LIST_FILTERS if params.get(name)}
    if not filters:
        raise BadRequest("At least one of sequence_id, contact_id and lead_id is required.")
    with state.lock:
        return [
            dict(item)
            for item in state.sequence_subscriptions.values()
            if all(item.get(name) == value for name, value in filters.items())
        ]
