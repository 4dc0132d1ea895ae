"""Opportunity values: currency units or cents, chosen explicitly, sent as integer cents."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.enums import (
    VALUE_UNITS,
    ValueUnit,
    allowed_text,
    check_choice,
)
from airflow_provider_close.client.payloads.scalars import bounded_int

__all__ = ["value_in_cents"]

_CENT = Decimal("0.01")


def _units_to_cents(field: str, value: object) -> int:
    allowed = "a non-negative amount with at most 2 decimals, e.g. 500 or 499.99"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ClosePayloadError(field, value, allowed)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ClosePayloadError(field, value, allowed) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(_CENT):
        raise ClosePayloadError(field, value, allowed)
    return int(amount * 100)


def value_in_cents(obj: str, value: object, unit: object) -> int | None:
    """Return an opportunity value in integer cents, or ``None`` when neither is given.

    ``value`` and ``unit`` go together: a value without a unit (or the reverse) is an error,
    so 500 can never silently mean $5.00 or $500.

    :param obj: the object name used in errors, e.g. ``"opportunity"``.
    :param value: the amount; in ``units`` it may have up to two decimals, in ``cents`` it
        must be an integer.
    :param unit: ``"units"`` (currency units, e.g. dollars) or ``"cents"``.
    """
    if value is None and unit is None:
        return None
    if value is None:
        raise ClosePayloadError(
            f"{obj}.value", None, f"an amount, since value_unit={unit!r} is given"
        )
    if unit is None:
        raise ClosePayloadError(
            f"{obj}.value_unit", None, f"{allowed_text(VALUE_UNITS)} (required with value)"
        )
    chosen: ValueUnit = check_choice(f"{obj}.value_unit", unit, VALUE_UNITS)
    if chosen == "cents":
        return bounded_int(f"{obj}.value", value, minimum=0)
    return _units_to_cents(f"{obj}.value", value)
