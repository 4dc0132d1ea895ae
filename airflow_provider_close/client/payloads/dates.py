"""ISO 8601 dates and datetimes for Close payloads (close-api.md §6).

Accepted inputs: ``datetime.date``, ``datetime.datetime`` (pendulum's subclasses included)
and ISO 8601 strings (what a rendered template produces). Datetimes must carry a UTC
offset: a naive one is ambiguous and rejected. Datetimes are sent normalised to UTC
(``2026-03-10T15:00:00+00:00``), dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Final

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.timestamps import (
    is_date_text,
    parse_date_text,
    parse_datetime_text,
)

__all__ = [
    "DATETIME_ALLOWED",
    "DATE_ALLOWED",
    "DATE_OR_DATETIME_ALLOWED",
    "iso_date",
    "iso_date_or_datetime",
    "iso_datetime",
]

DATETIME_ALLOWED: Final = "an ISO 8601 datetime with a UTC offset, e.g. '2026-03-10T15:00:00+00:00'"
DATE_ALLOWED: Final = "an ISO 8601 date, e.g. '2026-03-10'"
DATE_OR_DATETIME_ALLOWED: Final = f"{DATE_ALLOWED}, or {DATETIME_ALLOWED}"


def iso_datetime(field: str, value: object) -> str:
    """Return ``value`` as a UTC ISO 8601 datetime string, or raise ``ClosePayloadError``.

    :param field: the field name used in the error, e.g. ``"call.activity_at"``.
    :param value: an aware ``datetime`` or an ISO 8601 string with an offset.
    """
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = parse_datetime_text(value.strip())
    if parsed is None or parsed.utcoffset() is None:  # naive: ambiguous
        raise ClosePayloadError(field, value, DATETIME_ALLOWED)
    return parsed.astimezone(UTC).isoformat()


def iso_date(field: str, value: object) -> str:
    """Return ``value`` as ``YYYY-MM-DD``, or raise ``ClosePayloadError``.

    :param field: the field name used in the error.
    :param value: a ``date`` (not a datetime) or a ``YYYY-MM-DD`` string.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    parsed = parse_date_text(value.strip()) if isinstance(value, str) else None
    if parsed is None:
        raise ClosePayloadError(field, value, DATE_ALLOWED)
    return parsed.isoformat()


def iso_date_or_datetime(field: str, value: object) -> str:
    """Return a date as ``YYYY-MM-DD`` or a datetime as UTC ISO 8601, or raise.

    :param field: the field name used in the error, e.g. ``"task.date"``.
    :param value: a ``date``, an aware ``datetime`` or an ISO 8601 string of either.
    """
    is_plain_date = isinstance(value, date) and not isinstance(value, datetime)
    try:
        if is_plain_date or (isinstance(value, str) and is_date_text(value.strip())):
            return iso_date(field, value)
        return iso_datetime(field, value)
    except ClosePayloadError:
        raise ClosePayloadError(field, value, DATE_OR_DATETIME_ALLOWED) from None
