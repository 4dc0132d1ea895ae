"""Checked request bodies for bulk edits and sequence subscriptions, built before any request.

Every problem raises :class:`~airflow_provider_close.client.errors.ClosePayloadError` naming the
field and what is allowed (``field: got X; allowed: ...``). Kept apart from ``payloads/`` so it
can move to pydantic models with them.

Bulk edit fields follow Close's ``POST /bulk_action/edit/`` page (close-api.md §8); the
subscription fields Close's ``POST /sequence_subscription/`` page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, get_args

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact_points import check_email_address
from airflow_provider_close.client.payloads.enums import check_choice
from airflow_provider_close.client.payloads.ids import check_id
from airflow_provider_close.client.payloads.text import required_line

__all__ = [
    "BULK_EDIT_TYPES",
    "CUSTOM_FIELD_OPERATIONS",
    "BulkEditType",
    "bulk_edit_body",
    "subscription_body",
]

BulkEditType = Literal["set_lead_status", "set_custom_field", "clear_custom_field"]
BULK_EDIT_TYPES: tuple[BulkEditType, ...] = get_args(BulkEditType)
CustomFieldOperation = Literal["replace", "add", "remove"]
CUSTOM_FIELD_OPERATIONS: tuple[CustomFieldOperation, ...] = get_args(CustomFieldOperation)
_UNSET: Any = object()


def _query(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not isinstance(value.get("type"), str):
        raise ClosePayloadError(
            "bulk_edit.query", value, 'an Advanced Filtering query object with a "type"'
        )
    return dict(value)


def _results_limit(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ClosePayloadError("bulk_edit.results_limit", value, "a positive integer or None")
    return value


def _forbid(kind: str, given: Mapping[str, object]) -> None:
    for name, value in given.items():
        if value is not _UNSET and value is not None:
            raise ClosePayloadError(f"bulk_edit.{name}", value, f"nothing for type {kind!r}")


def _custom_value_fields(value: object, values: object, operation: object) -> dict[str, Any]:
    if (value is _UNSET) == (values is _UNSET):
        raise ClosePayloadError(
            "bulk_edit.value",
            "both" if value is not _UNSET else "neither",
            "exactly one of value (one value) or values (a list, for fields accepting several)",
        )
    if values is not _UNSET:
        if not isinstance(values, list) or not values:
            raise ClosePayloadError("bulk_edit.values", values, "a non-empty list")
        op = check_choice("bulk_edit.operation", operation or "replace", CUSTOM_FIELD_OPERATIONS)
        return {"custom_field_values": values, "custom_field_operation": op}
    if operation not in (None, "replace"):
        raise ClosePayloadError("bulk_edit.operation", operation, "'replace' (use values=[...])")
    if value is None or isinstance(value, dict | list):
        raise ClosePayloadError("bulk_edit.value", value, "a string, number or boolean")
    return {"custom_field_value": value}


def bulk_edit_body(
    *,
    edit_type: object,
    query: object,
    lead_status_id: object = _UNSET,
    custom_field_id: object = _UNSET,
    value: object = _UNSET,
    values: object = _UNSET,
    operation: object = None,
    results_limit: object = None,
    send_done_email: object = False,
) -> dict[str, Any]:
    """Return the checked ``POST /bulk_action/edit/`` body.

    :param edit_type: ``set_lead_status``, ``set_custom_field`` or ``clear_custom_field``.
    :param query: the Advanced Filtering query choosing the leads (sent as ``s_query``).
    :param lead_status_id: the status to set (``set_lead_status`` only).
    :param custom_field_id: the lead custom field (``set_custom_field``/``clear_custom_field``).
    :param value: one new value (``set_custom_field``).
    :param values: several values, for fields accepting several (``set_custom_field``).
    :param operation: ``replace`` (default), ``add`` or ``remove``, with ``values`` only.
    :param results_limit: edit at most this many leads.
    :param send_done_email: whether Close e-mails the user when done (default no).
    :raises ClosePayloadError: any field missing, unknown or not allowed for the type.
    """
    kind = check_choice("bulk_edit.edit_type", edit_type, BULK_EDIT_TYPES)
    body: dict[str, Any] = {"type": kind, "s_query": _query(query)}
    if kind == "set_lead_status":
        _forbid(kind, {"custom_field_id": custom_field_id, "value": value, "values": values})
        body["lead_status_id"] = check_id("bulk_edit.lead_status_id", lead_status_id, "status")
    else:
        _forbid(kind, {"lead_status_id": lead_status_id})
        field_id = check_id("bulk_edit.custom_field_id", custom_field_id, "custom_field")
        body["custom_field_id"] = field_id
        if kind == "clear_custom_field":
            _forbid(kind, {"value": value, "values": values, "operation": operation})
        else:
            body.update(_custom_value_fields(value, values, operation))
    limit = _results_limit(results_limit)
    if limit is not None:
        body["results_limit"] = limit
    if not isinstance(send_done_email, bool):
        raise ClosePayloadError("bulk_edit.send_done_email", send_done_email, "True | False")
    body["send_done_email"] = send_done_email
    return body


def subscription_body(field: str, row: Mapping[str, object]) -> dict[str, Any]:
    """Return the checked ``POST /sequence_subscription/`` body of one row.

    :param field: the prefix of error field names, e.g. ``"rows[3]"``.
    :param row: ``sequence_id``, ``contact_id``, ``contact_email``, ``sender_account_id``,
        ``sender_name``, ``sender_email`` and optionally ``calls_assigned_to`` (user ids).
    :raises ClosePayloadError: a missing or malformed field.
    """
    sequence_id = row.get("sequence_id")
    if not isinstance(sequence_id, str) or not sequence_id.strip().startswith("seq_"):
        raise ClosePayloadError(f"{field}.sequence_id", sequence_id, "a sequence id 'seq_...'")
    account = row.get("sender_account_id")
    if not isinstance(account, str) or not account.strip().startswith("emailacct_"):
        raise ClosePayloadError(
            f"{field}.sender_account_id", account, "an email account id 'emailacct_...'"
        )
    body: dict[str, Any] = {
        "sequence_id": sequence_id.strip(),
        "contact_id": check_id(f"{field}.contact_id", row.get("contact_id"), "contact"),
        "contact_email": check_email_address(f"{field}.contact_email", row.get("contact_email")),
        "sender_account_id": account.strip(),
        "sender_name": required_line(f"{field}.sender_name", row.get("sender_name")),
        "sender_email": check_email_address(f"{field}.sender_email", row.get("sender_email")),
    }
    assigned = row.get("calls_assigned_to")
    if assigned is not None:
        if not isinstance(assigned, list):
            raise ClosePayloadError(f"{field}.calls_assigned_to", assigned, "a list of user ids")
        body["calls_assigned_to"] = [
            check_id(f"{field}.calls_assigned_to[{n}]", user, "user")
            for n, user in enumerate(assigned)
        ]
    return body
