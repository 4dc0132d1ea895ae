"""Custom field values checked against their field's definition (close-api.md §6.10).

Close refuses a value of the wrong type for a field (text for a number field, a choice not
among the field's choices); these checks run before sending, on the definitions the
resolver already read (``GET /custom_field/<object type>/``):

============================  =========================================================
``number``                    int or float (not bool), or a numeric string (rendered
                              templates) sent as a number
``date`` / ``datetime``       ISO 8601 (see :mod:`.dates`)
``choices``                   one of the field's ``choices``
``user`` / ``contact``        a ``user_…`` / ``cont_…`` id
``text``/``textarea``/        a string (numbers pass, as Close stores them as given), no
``hidden``                    NUL, at most 100 000 characters
other types                   passed as given (Close checks them)
============================  =========================================================

A field with ``accepts_multiple_values`` takes a list (or one value) whose items are checked
one by one; any other field refuses a list. ``None`` unsets a field of any type.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.dates import iso_date, iso_datetime
from airflow_provider_close.client.payloads.enums import allowed_text
from airflow_provider_close.client.payloads.ids import check_id
from airflow_provider_close.client.payloads.text import MULTI_LINE_MAX, checked_content

__all__ = ["CustomFieldDefinition", "checked_custom_value"]

_TEXT_TYPES = frozenset({"text", "textarea", "hidden"})


@dataclass(frozen=True)
class CustomFieldDefinition:
    """What a value of one custom field must look like.

    :param id: the ``cf_…`` id.
    :param name: the display name.
    :param type: Close's field type (``text``, ``number``, ``choices``, …).
    :param choices: the allowed values of a ``choices`` field.
    :param multiple: the field accepts multiple values (a list).
    """

    id: str
    name: str
    type: str = "text"
    choices: tuple[str, ...] = ()
    multiple: bool = False

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> CustomFieldDefinition:
        """Return the definition of one item of ``GET /custom_field/<object type>/``.

        :param item: the definition as Close returns it.
        """
        choices = item.get("choices")
        return cls(
            id=str(item["id"]),
            name=str(item.get("name", "")),
            type=str(item.get("type") or "text"),
            choices=tuple(str(c) for c in choices) if isinstance(choices, list) else (),
            multiple=bool(item.get("accepts_multiple_values")),
        )


def _number(field: str, definition: CustomFieldDefinition, value: object) -> int | float:
    allowed = f"a number (custom field {definition.name!r} is a number field)"
    if isinstance(value, bool):
        raise ClosePayloadError(field, value, allowed)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
    raise ClosePayloadError(field, value, allowed)


def _text(field: str, definition: CustomFieldDefinition, value: object) -> object:
    if isinstance(value, str):
        return checked_content(field, value, max_length=MULTI_LINE_MAX)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    raise ClosePayloadError(field, value, f"a string (custom field {definition.name!r})")


def _checked_one(field: str, definition: CustomFieldDefinition, value: object) -> object:
    kind = definition.type
    if kind == "number":
        return _number(field, definition, value)
    if kind == "date":
        return iso_date(field, value)
    if kind == "datetime":
        return iso_datetime(field, value)
    if kind == "choices":
        if not isinstance(value, str) or value not in definition.choices:
            choices = allowed_text(definition.choices) or "(no choices defined)"
            allowed = f"one of {definition.name!r}'s choices: {choices}"
            raise ClosePayloadError(field, value, allowed)
        return value
    if kind == "user":
        return check_id(field, value, "user")
    if kind == "contact":
        return check_id(field, value, "contact")
    if kind in _TEXT_TYPES:
        return _text(field, definition, value)
    return value


def checked_custom_value(field: str, definition: CustomFieldDefinition, value: object) -> object:
    """Return ``value`` checked (and, for numbers given as text, converted) for its field.

    :param field: the name used in errors, e.g. ``"lead.custom_fields['Score']"``.
    :param definition: the field's definition.
    :param value: the value to send; ``None`` unsets the field.
    """
    if value is None:
        return None
    if isinstance(value, list):
        if not definition.multiple:
            allowed = f"one value (custom field {definition.name!r} takes no list)"
            raise ClosePayloadError(field, value, allowed)
        return [_checked_one(f"{field}[{i}]", definition, item) for i, item in enumerate(value)]
    return _checked_one(field, definition, value)
