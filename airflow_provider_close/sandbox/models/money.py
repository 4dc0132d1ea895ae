"""Opportunity money: integer cents, ``value_formatted``, expected and annualized values."""

from __future__ import annotations

__all__ = ["annualized", "expected", "format_cents"]

_PER_YEAR = {"one_time": 1, "monthly": 12, "annual": 1}


def format_cents(cents: int) -> str:
    """Return Close's display form of an amount in cents: ``50000`` -> ``$500``.

    :param cents: the amount in integer cents.
    """
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}" if rest == 0 else f"{sign}${dollars:,}.{rest:02d}"


def annualized(cents: int, period: str) -> int:
    """Return the yearly value of an amount (monthly x 12).

    :param cents: the amount in cents.
    :param period: ``one_time``, ``monthly`` or ``annual``.
    """
    return cents * _PER_YEAR.get(period, 1)


def expected(cents: int, confidence: int) -> int:
    """Return ``cents`` weighted by ``confidence`` percent (integer cents).

    :param cents: the amount in cents.
    :param confidence: 0-100.
    """
    return cents * confidence // 100
