"""The one timestamps module: Close's formats in, aware UTC datetimes out (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from airflow_provider_close.client.timestamps import (
    MICROSECOND,
    format_moment,
    parse_date_text,
    parse_datetime_text,
    parse_moment,
    parse_moment_or_none,
    to_moment,
)

MOMENT = datetime(2022, 11, 9, 13, 57, 14, 751000, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2022-11-09T13:57:14.751000+00:00",  # object timestamps
        "2022-11-09T13:57:14.751000",  # naive UTC: events, some config objects
        "2022-11-09T14:57:14.751000+01:00",
        "2022-11-09T13:57:14.751Z",
    ],
)
def test_close_timestamps_parse_to_aware_utc(text: str) -> None:
    parsed = parse_moment(text)
    assert parsed == MOMENT
    assert parsed.tzinfo is UTC


def test_formatting_is_what_close_filters_accept() -> None:
    local = MOMENT.astimezone(timezone(timedelta(hours=2)))
    assert format_moment(local) == "2022-11-09T13:57:14.751000+00:00"
    assert format_moment(MOMENT + MICROSECOND) == "2022-11-09T13:57:14.751001+00:00"


def test_not_a_timestamp() -> None:
    with pytest.raises(ValueError, match="expected an ISO 8601 timestamp"):
        parse_moment(None)
    assert parse_moment_or_none("soon") is None
    assert parse_moment_or_none(12) is None


def test_datetimes_from_users_keep_their_offset_and_dates_are_not_datetimes() -> None:
    assert to_moment(" 2026-01-01T00:00:00 ") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_datetime_text("2026-01-01") is None
    written = parse_datetime_text("2026-01-01T10:00:00+02:00")
    assert written is not None
    assert written.utcoffset() == timedelta(hours=2)
    assert parse_date_text("2026-01-01") == date(2026, 1, 1)
    assert parse_date_text("2026-02-30") is None
    assert parse_date_text("2026-01-01T00:00:00+00:00") is None
