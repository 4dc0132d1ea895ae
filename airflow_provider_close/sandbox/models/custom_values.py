"""``custom.cf_…`` values on leads, contacts, opportunities and activities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.sandbox.models.checks import Problems
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.timestamps import format_date, format_timestamp, parse_moment

__all__ = ["apply_custom_values", "custom_keys"]

_PREFIX = "custom."
_OPERATIONS = (".add", ".remove")


def custom_keys(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Return the ``custom.…`` entries of a payload.

    :param payload: the request body.
    """
    return {key: value for key, value in payload.items() if key.startswith(_PREFIX)}


def _split_key(key: str) -> tuple[str, str | None]:
    name = key[len(_PREFIX) :]
    for operation in _OPERATIONS:
        if name.endswith(operation):
            return name[: -len(operation)], operation[1:]
    return name, None


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in value else number
    return None


def _coerce_one(definition: Mapping[str, Any], value: Any, users: Mapping[str, Any]) -> Any:
    """Return the stored form of one value, or raise ValueError with Close-like text."""
    kind = definition["type"]
    if kind == "number":
        number = _number(value)
        if number is None:
            raise ValueError("Enter a number.")
        return number
    if kind in ("date", "datetime"):
        moment = parse_moment(value) if isinstance(value, str) else None
        if moment is None:
            raise ValueError(f"Enter a valid {kind}.")
        return format_date(moment.date()) if kind == "date" else format_timestamp(moment)
    if kind == "choices" and value not in (definition.get("choices") or []):
        raise ValueError(f"Value {value!r} is not a valid choice.")
    if kind == "user" and value not in users:
        raise ValueError("Object does not exist.")
    if not isinstance(value, str | int | float):
        raise ValueError("Invalid value.")
    return value


def _coerce(definition: Mapping[str, Any], value: Any, users: Mapping[str, Any]) -> Any:
    if not definition.get("accepts_multiple_values"):
        if isinstance(value, list):
            raise ValueError("This field does not accept multiple values.")
        return _coerce_one(definition, value, users)
    values = value if isinstance(value, list) else [value]
    return [_coerce_one(definition, item, users) for item in values]


def _combined(current: Any, change: Any, operation: str) -> list[Any]:
    existing = list(current or [])
    items = change if isinstance(change, list) else [change]
    if operation == "add":
        return existing + [item for item in items if item not in existing]
    return [item for item in existing if item not in items]


def apply_custom_values(
    record: Record,
    payload: Mapping[str, Any],
    definitions: Mapping[str, Mapping[str, Any]],
    users: Mapping[str, Any],
    problems: Problems,
) -> None:
    """Validate the payload's ``custom.cf_…`` keys and write them into ``record``.

    ``null`` unsets; ``custom.cf_x.add`` / ``.remove`` change multi-value fields.

    :param record: the record being built or updated (changed in place).
    :param payload: the request body.
    :param definitions: custom field id -> definition, for this object type.
    :param users: the org's users (for ``user`` fields).
    :param problems: where field errors go.
    """
    for key, value in custom_keys(payload).items():
        field_id, operation = _split_key(key)
        definition = definitions.get(field_id)
        if definition is None:
            problems.add(key, f"Unknown custom field: {field_id}.")
            continue
        target = f"{_PREFIX}{field_id}"
        if value is None and operation is None:
            record.pop(target, None)
            continue
        try:
            coerced = _coerce(definition, value, users)
        except ValueError as error:
            problems.add(key, str(error))
            continue
        if operation is not None:
            if not definition.get("accepts_multiple_values"):
                problems.add(key, "This field does not accept multiple values.")
                continue
            coerced = _combined(record.get(target), coerced, operation)
        record[target] = coerced
