"""JSON encoding of dates and datetimes (stdlib and pendulum) in bodies and queries."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pendulum
import pytest

from airflow_provider_close.client.encoding import encode_json, encode_params, encode_value

CET = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05+00:00"),  # naive = UTC
        (datetime(2024, 1, 2, 3, 4, 5, 751000, tzinfo=UTC), "2024-01-02T03:04:05.751000+00:00"),
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=CET), "2024-01-02T03:04:05+01:00"),
        (date(2024, 1, 2), "2024-01-02"),
        (time(9, 30), "09:30:00"),
        (pendulum.datetime(2024, 1, 2, 3, 4, 5, tz="UTC"), "2024-01-02T03:04:05+00:00"),
        (pendulum.datetime(2024, 1, 2, 3, tz="Europe/Paris"), "2024-01-02T03:00:00+01:00"),
        (pendulum.date(2024, 1, 2), "2024-01-02"),
        (Decimal("12.50"), "12.50"),
        (UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (True, "true"),
        (False, "false"),
        (5, "5"),
        (1.5, "1.5"),
        ("a,b", "a,b"),
        (["id", "name"], "id,name"),
        (("lead_1", "lead_2"), "lead_1,lead_2"),
    ],
)
def test_encode_value(value: object, expected: str) -> None:
    assert encode_value(value) == expected


def test_encode_params_drops_none() -> None:
    params = {"date_created__gt": date(2024, 1, 1), "lead_id": None, "_limit": 10}
    assert encode_params(params) == {"date_created__gt": "2024-01-01", "_limit": "10"}
    assert encode_params(None) == {}


def test_encode_json_encodes_dates_in_nested_bodies() -> None:
    body = {
        "date": pendulum.date(2024, 5, 1),
        "nested": [{"at": datetime(2024, 5, 1, 12, 0)}],
        "tags": ("a",),
        "value": 50000,
    }
    assert json.loads(encode_json(body)) == {
        "date": "2024-05-01",
        "nested": [{"at": "2024-05-01T12:00:00+00:00"}],
        "tags": ["a"],
        "value": 50000,
    }


def test_encode_json_refuses_unknown_objects() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        encode_json({"x": object()})
