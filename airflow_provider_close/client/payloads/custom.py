"""Custom field values (``custom.cf_…`` keys) in Close payloads (close-api.md §6.10)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.ids import id_pattern_text, looks_like_id

__all__ = ["CUSTOM_KEY_PREFIX", "custom_field_inputs", "custom_field_values", "is_custom_key"]

CUSTOM_KEY_PREFIX: Final = "custom."
_SCALARS = (str, int, float, bool)


def is_custom_key(key: object) -> bool:
    """Return whether ``key`` is a payload key ``custom.cf_<43 base62>``.

    :param key: the candidate key.
    """
    return (
        isinstance(key, str)
        and key.startswith(CUSTOM_KEY_PREFIX)
        and looks_like_id("custom_field", key.removeprefix(CUSTOM_KEY_PREFIX))
    )


def _is_json_value(value: object) -> bool:
    if value is None or isinstance(value, _SCALARS):
        return True
    return isinstance(value, list) and all(isinstance(item, _SCALARS) for item in value)


def custom_field_values(obj: str, values: Mapping[str, object] | None) -> dict[str, object]:
    """Return custom field values keyed ``custom.cf_…``, checked, or raise ``ClosePayloadError``.

    Names are resolved to keys beforehand (``lookups.custom_fields``); here only keys are
    accepted. ``None`` as a value unsets the field (on updates); lists are multi-value fields.

    :param obj: the object name used in errors, e.g. ``"lead"``.
    :param values: ``{"custom.cf_…": value}`` or ``None``.
    """
    checked: dict[str, object] = {}
    for key, value in (values or {}).items():
        if not is_custom_key(key):
            allowed = f"'custom.' + {id_pattern_text('custom_field')}"
            raise ClosePayloadError(f"{obj}.custom", key, allowed)
        if not _is_json_value(value):
            allowed = "a string, number, boolean, None or a list of those"
            raise ClosePayloadError(f"{obj}.{key}", value, allowed)
        checked[key] = value
    return checked


def custom_field_inputs(obj: str, values: object) -> dict[str, object]:
    """Return custom field values keyed by display name or id, checked (names not resolved).

    The pure half of custom field handling: run it before any request; the keys are
    resolved later with ``lookups.custom_fields.CustomFieldResolver``.

    :param obj: the object name used in errors, e.g. ``"lead"``.
    :param values: ``{"External ID": "X-1", "cf_…": 3}`` or ``None``.
    """
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ClosePayloadError(
            f"{obj}.custom_fields", values, "a dict of field name or id -> value"
        )
    checked: dict[str, object] = {}
    for key, value in values.items():
        if not isinstance(key, str) or not key.strip():
            raise ClosePayloadError(f"{obj}.custom_fields", key, "a field name or cf_ id")
        if not _is_json_value(value):
            allowed = "a string, number, boolean, None or a list of those"
            raise ClosePayloadError(f"{obj}.custom_fields[{key!r}]", value, allowed)
        checked[key] = value
    return checked
