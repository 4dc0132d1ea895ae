"""Filter validation and the query plan shared by the sensor and the trigger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from airflow_provider_close.watch.activity_query import (
    ActivityFilter,
    SensorWindow,
    activity_queries,
    activity_type_names,
    is_templated,
)

LEAD = "lead_" + "a" * 43
USER = "user_" + "b" * 43
CONT = "cont_" + "c" * 43
T0 = datetime(2026, 3, 1, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
FIELDS = "id,_type,date_created,lead_id,user_id,contact_id"
GTE = "2026-03-01T00:00:00.000000+00:00"
LT = "2026-03-02T00:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # Org-wide, any type: /activity/ with only the date filter.
        ({}, [("activity/", {})]),
        # Any type of one lead: /activity/ accepts user/contact with lead_id.
        (
            {"lead_id": LEAD, "user_id": USER, "contact_id": CONT},
            [("activity/", {"lead_id": LEAD, "user_id": USER, "contact_id": CONT})],
        ),
        # Type filters always go to the per-type endpoints (in a stable order).
        (
            {"activity_types": ["sms", "call", "sms"]},
            [("activity/call/", {}), ("activity/sms/", {})],
        ),
        # Per-type endpoints take user_id/contact_id org-wide.
        ({"activity_types": ["note"], "user_id": USER}, [("activity/note/", {"user_id": USER})]),
    ],
)
def test_query_plan(kwargs: dict[str, object], expected: list[tuple[str, dict[str, str]]]) -> None:
    plan = activity_queries(ActivityFilter.of(**kwargs), SensorWindow(T0, T1))  # type: ignore[arg-type]
    common = {
        "date_created__gte": GTE,
        "date_created__lt": LT,
        "_order_by": "date_created",
        "_fields": FIELDS,
    }
    assert [(q["path"], q["params"]) for q in plan] == [
        (p, {**extra, **common}) for p, extra in expected
    ]


@pytest.mark.parametrize(
    ("window", "params"),
    [
        (SensorWindow(T0), {"date_created__gte": GTE}),
        (
            SensorWindow(T0, T1, include_watermark=False),
            {"date_created__gt": GTE, "date_created__lt": LT},
        ),
    ],
)
def test_window_params(window: SensorWindow, params: dict[str, str]) -> None:
    assert window.params() == params


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activity_types": ["call", "fax"]}, r"unknown activity type\(s\) \['fax'\]"),
        ({"activity_types": ["Call"]}, "allowed: call, sms, note, email, meeting"),
        ({"lead_id": "cont_" + "x" * 43}, "lead_id must be a Close id starting with 'lead_'"),
        ({"lead_id": "lead_"}, "lead_id must be a Close id"),
        (
            {"user_id": "usr_1", "activity_types": ["call"]},
            "user_id must be a Close id starting with 'user_'",
        ),
        (
            {"contact_id": "lead_" + "x" * 43, "lead_id": LEAD},
            "contact_id must be a Close id starting with 'cont_'",
        ),
        ({"user_id": USER}, "accepts user_id/contact_id only together with lead_id"),
        ({"contact_id": CONT}, "set activity_types"),
    ],
)
def test_filters_are_validated_before_any_request(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ActivityFilter.of(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("bounds", "message"),
    [((datetime(2026, 1, 1), None), "timezone-aware"), ((T1, T0), "before watermark")],
)
def test_window_rejects_bad_bounds(bounds: tuple[datetime, datetime | None], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SensorWindow(*bounds)


@pytest.mark.parametrize(
    ("window", "moment", "inside"),
    [
        (SensorWindow(T0, T1), T0, True),
        (SensorWindow(T0, T1, include_watermark=False), T0, False),
        (SensorWindow(T0, T1), T1, False),
        (SensorWindow(T0, T1), T1 - timedelta(microseconds=1), True),
        (SensorWindow(T0), T1 + timedelta(days=900), True),
        (SensorWindow(T0), T0 - timedelta(microseconds=1), False),
    ],
)
def test_window_contains(window: SensorWindow, moment: datetime, inside: bool) -> None:
    assert window.contains(moment) is inside


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("call", ["call"]),
        ("call, sms ,", ["call", "sms"]),
        (["note", " email "], ["note", "email"]),
        (("meeting",), ["meeting"]),
    ],
)
def test_activity_type_names(value: object, expected: list[str]) -> None:
    assert activity_type_names(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((None, "call"), False),
        ((["call", "{{ params.kind }}"],), True),
        (("{{ var.value.lead }}",), True),
        ((("sms",), LEAD), False),
    ],
)
def test_is_templated(values: tuple[object, ...], expected: bool) -> None:
    assert is_templated(*values) is expected


def test_comma_separated_types_plan_per_type_queries() -> None:
    plan = activity_queries(ActivityFilter.of("sms,call"), SensorWindow(T0))
    assert [q["path"] for q in plan] == ["activity/call/", "activity/sms/"]
