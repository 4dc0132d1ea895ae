"""ISO 8601 dates and datetimes for Close payloads (close-api.md §6).

Accepted inputs: ``datetime.date``, ``datetime.datetime`` (pendulum's subclasses included)
and ISO 8601 strings (what a rendered template produces). Datetimes must carry a UTC
offset: a naive one is ambiguous and rejected. Datetimes are sent normalised to UTC
(``2026-03-10T15:00:00+00:00``), dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Final

from airflow_provider_close.client.errors import ClosePayloadError

__all__ = [
    "DATETIME_ALLOWED",
    "DATE_ALLOWED",
    "DATE_OR_DATETIME_ALLOWED",
    "iso_date",
    "iso_date_or_datetime",
    "iso_datetime",
    "optional_iso_date",
    "optional_iso_date_or_datetime",
    "optional_iso_datetime",
]

DATETIME_ALLOWED: Final = "an ISO 8601 datetime with a UTC offset, e.g. '2026-03-10T15:00:00+00:00'"
DATE_ALLOWED: Final = "an ISO 8601 date, e.g. '2026-03-10'"
DATE_OR_DATETIME_ALLOWED: Final = f"{DATE_ALLOWED}, or {DATETIME_ALLOWED}"

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _aware_utc(value: datetime) -> datetime | None:
    if value.tzinfo is None or value.utcoffset() is None:
        return None
    return value.astimezone(UTC)


def _parsed_datetime(text: str) -> datetime | None:
    if _DATE_ONLY.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _parsed_date(text: str) -> date | None:
    if not _DATE_ONLY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def iso_datetime(field: str, value: object) -> str:
    """Return ``value`` as a UTC ISO 8601 datetime string, or raise ``ClosePayloadError``.

    :param field: the field name used in the error, e.g. ``"call.activity_at"``.
    :param value: an aware ``datetime`` or an ISO 8601 string with an offset.
    """
    parsed: datetime | None = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = _parsed_datetime(value.strip())
    aware = _aware_utc(parsed) if parsed is not None else None
    if aware is None:
        raise ClosePayloadError(field, value, DATETIME_ALLOWED)
    return aware.isoformat()


def iso_date(field: str, value: object) -> str:
    """Return ``value`` as ``YYYY-MM-DD``, or raise ``ClosePayloadError``.

    :param field: the field name used in the error.
    :param value: a ``date`` (not a datetime) or a ``YYYY-MM-DD`` string.
    """
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    parsed = _parsed_date(value.strip()) if isinstance(value, str) else None
    if parsed is None:
        raise ClosePayloadError(field, value, DATE_ALLOWED)
    return parsed.isoformat()


def iso_date_or_datetime(field: str, value: object) -> str:
    """Return a date as ``YYYY-MM-DD`` or a datetime as UTC ISO 8601, or raise.

    :param field: the field name used in the error, e.g. ``"task.date"``.
    :param value: a ``date``, an aware ``datetime`` or an ISO 8601 string of either.
    """
    is_date_text = isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()) is not None
    is_plain_date = isinstance(value, date) and not isinstance(value, datetime)
    try:
        if is_date_text or is_plain_date:
            return iso_date(field, value)
        return iso_datetime(field, value)
    except ClosePayloadError:
        raise ClosePayloadError(field, value, DATE_OR_DATETIME_ALLOWED) from None


def optional_iso_datetime(field: str, value: object) -> str | None:
    """Return ``None`` for ``None``, else :func:`iso_datetime`.

    :param field: the field name used in the error.
    :param value: the candidate or ``None``.
    """
    return None if value is None else iso_datetime(field, value)


def optional_iso_date(field: str, value: object) -> str | None:
    """Return ``None`` for ``None``, else :func:`iso_date`.

    :param field: the field name used in the error.
    :param value: the candidate or ``None``.
    """
    return None if value is None else iso_date(field, value)


def optional_iso_date_or_datetime(field: str, value: object) -> str | None:
    """Return ``None`` for ``None``, else :func:`iso_date_or_datetime`.

    :param field: the field name used in the error.
    :param value: the candidate or ``None``.
    """
    return None if value is None else iso_date_or_datetime(field, value)
