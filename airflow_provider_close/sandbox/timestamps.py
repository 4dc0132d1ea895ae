"""Close's timestamp formats and the parsing of date/datetime filter values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

__all__ = [
    "format_date",
    "format_naive",
    "format_timestamp",
    "parse_date",
    "parse_moment",
]


def format_timestamp(moment: datetime) -> str:
    """Return ``moment`` as Close writes object timestamps: ``2022-11-09T13:57:14.751000+00:00``.

    :param moment: an aware (or naive UTC) datetime.
    """
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat(timespec="microseconds")


def format_naive(moment: datetime) -> str:
    """Return ``moment`` as naive UTC, the event-log format ``2023-04-07T10:01:14.670000``.

    :param moment: an aware (or naive UTC) datetime.
    """
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def format_date(day: date) -> str:
    """Return ``day`` as ``YYYY-MM-DD``.

    :param day: the date.
    """
    return day.isoformat()


def parse_moment(value: str) -> datetime | None:
    """Return the UTC datetime for a date or datetime string, or None if it is neither.

    A date means its midnight UTC; a naive datetime is UTC; ``Z`` is accepted.

    :param value: e.g. ``2024-01-01``, ``2024-01-01T10:00:00Z``, ``...+02:00``.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:
        parsed = datetime.combine(parsed.date(), time(), tzinfo=UTC)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(value: str) -> date | None:
    """Return the date for a ``YYYY-MM-DD`` string (or a datetime's UTC date), else None.

    :param value: the text to parse.
    """
    moment = parse_moment(value)
    return moment.date() if moment else None
