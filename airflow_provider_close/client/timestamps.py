"""Close timestamps: the one place datetimes are parsed and formatted (pure, no Airflow).

Close writes object timestamps as ISO 8601 with microseconds and ``+00:00``
(``2022-11-09T13:57:14.751000+00:00``); event timestamps and some config objects are naive
UTC; dates are ``YYYY-MM-DD`` (close-api.md §6, §9 item 4). Filters accept a date or a
datetime. Everything that reads a date from Close or from a user goes through these
functions: extraction windows, payload dates, list filters, activity lookups, lead matching,
the watch package and the keyset walks. The callers keep their own error messages; the
functions here return ``None`` (or raise ``ValueError``) and never word a user-facing error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Final

__all__ = [
    "MICROSECOND",
    "as_utc",
    "format_moment",
    "is_date_text",
    "parse_date_text",
    "parse_datetime_text",
    "parse_moment",
    "parse_moment_or_none",
    "to_moment",
]

#: Close's timestamp resolution: the step between two distinct ``date_created`` values.
MICROSECOND: Final = timedelta(microseconds=1)

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_date_text(text: str) -> bool:
    """Return whether ``text`` has the shape of a plain date (``YYYY-MM-DD``).

    :param text: a stripped string.
    """
    return _DATE_ONLY.fullmatch(text) is not None


def as_utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; a naive one is taken as UTC (Close's naive timestamps are).

    :param moment: a datetime.
    """
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def parse_moment(value: object) -> datetime:
    """Return the aware UTC datetime of a Close timestamp (naive ones, as events have, are UTC).

    :param value: e.g. ``2022-11-09T13:57:14.751000+00:00`` or ``2023-04-07T10:01:14.670000``.
    :raises ValueError: not an ISO 8601 string.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 timestamp, got {value!r}")
    return as_utc(datetime.fromisoformat(value))


def parse_moment_or_none(value: object) -> datetime | None:
    """Return :func:`parse_moment` of ``value``, or None when it is not a timestamp.

    :param value: anything read from a Close object.
    """
    try:
        return parse_moment(value)
    except ValueError:
        return None


def to_moment(value: datetime | str) -> datetime:
    """Return an aware UTC datetime from a datetime or an ISO 8601 string (naive means UTC).

    Rendered templates such as ``{{ data_interval_start }}`` arrive as strings.

    :param value: e.g. ``2026-01-01T00:00:00+00:00`` or a pendulum/stdlib datetime.
    :raises ValueError: not a datetime or an ISO 8601 string.
    """
    if isinstance(value, datetime):
        return as_utc(value)
    return parse_moment(value.strip() if isinstance(value, str) else value)


def format_moment(moment: datetime) -> str:
    """Return ``moment`` as a filter value Close accepts: UTC, microseconds, ``+00:00``.

    :param moment: an aware datetime.
    """
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse_datetime_text(text: str) -> datetime | None:
    """Return the datetime an ISO 8601 datetime string holds (as written), or None.

    A plain date is not a datetime here (None), nor is anything unparsable.

    :param text: a stripped string.
    """
    if is_date_text(text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_date_text(text: str) -> date | None:
    """Return the date a ``YYYY-MM-DD`` string holds, or None.

    :param text: a stripped string.
    """
    if not is_date_text(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
