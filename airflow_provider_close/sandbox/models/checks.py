"""Collecting Close-style field errors while validating a payload."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from airflow_provider_close.sandbox.errors import FieldErrors, ValidationFailed, nested_errors
from airflow_provider_close.sandbox.timestamps import format_timestamp, parse_moment

__all__ = [
    "DOES_NOT_EXIST",
    "NOT_A_STRING",
    "NUL_CHARACTER",
    "REQUIRED",
    "Problems",
    "actor_fields",
    "invalid_choice",
]

REQUIRED = "This field is required."
DOES_NOT_EXIST = "Object does not exist."
NOT_A_STRING = "Not a valid string."
NUL_CHARACTER = "Null characters are not allowed."


def invalid_choice(value: Any, allowed: Collection[str]) -> str:
    """Return the message for an enum value outside ``allowed``.

    :param value: the value sent.
    :param allowed: the accepted values.
    """
    return f"Value {value!r} is not a valid choice. Valid choices are: {', '.join(allowed)}."


class Problems:
    """Field errors found so far; :meth:`raise_if_any` turns them into a 400."""

    def __init__(self) -> None:
        self.field_errors: FieldErrors = {}
        self.errors: list[str] = []

    def add(self, field: str, message: Any) -> None:
        """Record an error on ``field`` (the first one wins).

        :param field: the field name.
        :param message: the message, or a nested error body.
        """
        self.field_errors.setdefault(field, message)

    def add_general(self, message: str) -> None:
        """Record an error not tied to one field.

        :param message: the message.
        """
        self.errors.append(message)

    def add_items(self, field: str, by_index: Mapping[int, ValidationFailed]) -> None:
        """Record errors of items of a list field (nested, indexes as string keys).

        :param field: the list field.
        :param by_index: item index -> its validation error.
        """
        if by_index:
            self.add(field, nested_errors(by_index))

    def raise_if_any(self) -> None:
        """Raise :class:`ValidationFailed` if any error was recorded."""
        if self.field_errors or self.errors:
            raise ValidationFailed(self.field_errors, self.errors)

    def enum(self, payload: Mapping[str, Any], name: str, allowed: Collection[str]) -> Any:
        """Return ``payload[name]`` if absent or allowed; record an error (and return None).

        :param payload: the request body.
        :param name: the field.
        :param allowed: accepted values.
        """
        value = payload.get(name)
        if value is not None and (not isinstance(value, str) or value not in allowed):
            self.add(name, invalid_choice(value, allowed))
            return None
        return value

    def texts(self, payload: Mapping[str, Any], names: Collection[str]) -> bool:
        """Record an error for each of ``names`` sent as a non-string or with a NUL character.

        ``None`` is accepted (it clears the field). Returns whether all were fine.

        :param payload: the request body.
        :param names: the text fields.
        """
        fine = True
        for name in names:
            value = payload.get(name)
            if value is not None and not isinstance(value, str):
                self.add(name, NOT_A_STRING)
                fine = False
            elif isinstance(value, str) and "\x00" in value:
                self.add(name, NUL_CHARACTER)
                fine = False
        return fine

    def listed(self, payload: Mapping[str, Any], name: str) -> list[Any]:
        """Return ``payload[name]`` as a list (``[]`` if absent); record an error if not a list.

        :param payload: the request body.
        :param name: the list field, e.g. ``attachments``.
        """
        value = payload.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(name, "This field must be a list.")
            return []
        return list(value)

    def reference(self, payload: Mapping[str, Any], name: str, store: Mapping[str, Any]) -> Any:
        """Return ``payload[name]``; record an error (and return None) if it names no object.

        :param payload: the request body.
        :param name: the id field, e.g. ``lead_id``.
        :param store: the objects it may refer to.
        """
        value = payload.get(name)
        if value is not None and (not isinstance(value, str) or value not in store):
            self.add(name, DOES_NOT_EXIST)
            return None
        return value

    def moment(self, payload: Mapping[str, Any], name: str) -> str | None:
        """Return ``payload[name]`` as a Close timestamp; record an error if unparsable.

        :param payload: the request body.
        :param name: the datetime field.
        """
        value = payload.get(name)
        if value is None:
            return None
        parsed = parse_moment(value) if isinstance(value, str) else None
        if parsed is None:
            self.add(name, "Invalid date/time.")
            return None
        return format_timestamp(parsed)


def actor_fields(me: Mapping[str, Any], stamp: str, *, created: bool) -> dict[str, Any]:
    """Return ``created_by``/``updated_by`` (+ names) and dates for a write by ``me``.

    :param me: the acting user.
    :param stamp: the write's timestamp.
    :param created: also set the ``created_*`` fields.
    """
    name = f"{me['first_name']} {me['last_name']}"
    fields = {"updated_by": me["id"], "updated_by_name": name, "date_updated": stamp}
    if created:
        fields |= {"created_by": me["id"], "created_by_name": name, "date_created": stamp}
    return fields
