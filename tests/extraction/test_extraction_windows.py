"""Pure window helpers: bounds, query parameters, timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from airflow_provider_close.extraction import resource_spec
from airflow_provider_close.extraction.windows import (
    Window,
    format_moment,
    parse_moment,
    to_moment,
    window_params,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)


@pytest.mark.parametrize(
    ("name", "window", "expected"),
    [
        (
            "activity.call",
            Window(T0, T1),
            {
                "_order_by": "date_created",
                "date_created__gte": "2026-01-01T00:00:00.000000+00:00",
                "date_created__lt": "2026-01-01T01:00:00.000000+00:00",
            },
        ),
        (
            "task",
            Window(T0, None),
            {
                "_type": "all",
                "_order_by": "date_created",
                "date_created__gte": "2026-01-01T00:00:00.000000+00:00",
            },
        ),
        ("opportunity", Window(None, None), {"_order_by": "date_created"}),
        (
            "event",
            Window(T0, T1),
            {
                "date_updated__gte": "2026-01-01T00:00:00.000000+00:00",
                "date_updated__lt": "2026-01-01T01:00:00.000000+00:00",
            },
        ),
    ],
)
def test_window_params(name: str, window: Window, expected: dict[str, str]) -> None:
    assert window_params(resource_spec(name), window) == expected


def test_window_params_refuses_unwindowed_resources() -> None:
    with pytest.raises(ValueError, match="user has no date filter"):
        window_params(resource_spec("user"), Window(T0, T1))


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ((datetime(2026, 1, 1), None), "timezone-aware"),
        ((T2, T1), "after its end"),
    ],
)
def test_window_rejects_bad_bounds(bounds: tuple[datetime, datetime | None], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Window(*bounds)


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (T0 - timedelta(microseconds=1), False),
        (T0, True),
        (T1 - timedelta(microseconds=1), True),
        (T1, False),
    ],
)
def test_window_is_half_open(moment: datetime, inside: bool) -> None:
    assert Window(T0, T1).contains(moment) is inside


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-11-09T13:57:14.751000+00:00", datetime(2022, 11, 9, 13, 57, 14, 751000, tzinfo=UTC)),
        ("2023-04-07T10:01:14.670000", datetime(2023, 4, 7, 10, 1, 14, 670000, tzinfo=UTC)),
        ("2023-04-07T12:01:14+02:00", datetime(2023, 4, 7, 10, 1, 14, tzinfo=UTC)),
        ("2023-04-07T10:01:14Z", datetime(2023, 4, 7, 10, 1, 14, tzinfo=UTC)),
    ],
)
def test_parse_moment(text: str, expected: datetime) -> None:
    assert parse_moment(text) == expected


@pytest.mark.parametrize("value", [None, 12, "yesterday"])
def test_parse_moment_rejects_non_timestamps(value: object) -> None:
    with pytest.raises(ValueError):
        parse_moment(value)


def test_format_moment_is_utc_with_microseconds() -> None:
    moment = datetime(2026, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2)))
    assert format_moment(moment) == "2026-01-01T00:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))), T0),
        (datetime(2026, 1, 1), T0),
        (" 2026-01-01 00:00:00+00:00 ", T0),
        ("2026-01-01T02:00:00+02:00", T0),
    ],
)
def test_to_moment_accepts_datetimes_and_rendered_templates(
    value: datetime | str, expected: datetime
) -> None:
    assert to_moment(value) == expected
    assert to_moment(value).tzinfo is UTC
