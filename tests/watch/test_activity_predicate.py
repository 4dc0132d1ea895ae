"""The shared predicate: counts, bounded ids, truncation flag, watermark, client-side checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.watch.activity_predicate import ActivityTally, evaluate_activities
from airflow_provider_close.watch.activity_query import ActivityFilter, SensorWindow

LEAD = "lead_" + "a" * 43
OTHER_LEAD = "lead_" + "z" * 43
T0 = datetime(2026, 3, 1, tzinfo=UTC)
WINDOW = SensorWindow(T0, T0 + timedelta(hours=1))


def act(n: int, minute: int, kind: str = "Call", lead: str = LEAD) -> dict[str, Any]:
    moment = T0 + timedelta(minutes=minute)
    return {
        "id": f"acti_{n:03d}",
        "_type": kind,
        "lead_id": lead,
        "date_created": moment.isoformat(),
    }


@pytest.mark.parametrize(
    ("activities", "filter_kwargs", "min_count", "max_items", "expected"),
    [
        pytest.param([], {}, 1, 10, (False, 0, [], False, None), id="nothing"),
        pytest.param(
            [act(2, 5), act(1, 5), act(3, 1)],
            {},
            3,
            10,
            (
                True,
                3,
                ["acti_003", "acti_001", "acti_002"],
                False,
                "2026-03-01T00:05:00.000000+00:00",
            ),
            id="ordered-by-date-then-id",
        ),
        pytest.param(
            [act(1, 1), act(2, 2), act(3, 3)],
            {},
            4,
            10,
            (
                False,
                3,
                ["acti_001", "acti_002", "acti_003"],
                False,
                "2026-03-01T00:03:00.000000+00:00",
            ),
            id="below-min-count",
        ),
        pytest.param(
            [act(5, 50), act(4, 40), act(3, 30), act(2, 20), act(1, 10)],
            {},
            1,
            2,
            (True, 5, ["acti_001", "acti_002"], True, "2026-03-01T00:50:00.000000+00:00"),
            id="truncated-keeps-the-earliest",
        ),
        pytest.param(
            [act(1, 1, "SMS"), act(2, 2, "Call"), act(3, 3, "Note")],
            {"activity_types": ["call"]},
            1,
            10,
            (True, 1, ["acti_002"], False, "2026-03-01T00:02:00.000000+00:00"),
            id="type-rechecked-client-side",
        ),
        pytest.param(
            [act(1, 1, lead=OTHER_LEAD), act(2, 2)],
            {"lead_id": LEAD},
            1,
            10,
            (True, 1, ["acti_002"], False, "2026-03-01T00:02:00.000000+00:00"),
            id="lead-rechecked-client-side",
        ),
        pytest.param(
            [act(1, -1), act(2, 0), act(3, 59), act(4, 60)],
            {},
            1,
            10,
            (True, 2, ["acti_002", "acti_003"], False, "2026-03-01T00:59:00.000000+00:00"),
            id="half-open-window",
        ),
    ],
)
def test_evaluate(
    activities: list[dict[str, Any]],
    filter_kwargs: dict[str, Any],
    min_count: int,
    max_items: int,
    expected: tuple[bool, int, list[str], bool, str | None],
) -> None:
    result = evaluate_activities(
        activities,
        ActivityFilter.of(**filter_kwargs),
        WINDOW,
        min_count=min_count,
        max_items=max_items,
    )
    assert (
        result["satisfied"],
        result["count"],
        result["activity_ids"],
        result["truncated"],
        result["watermark"],
    ) == expected


def test_strict_watermark_excludes_the_watermark_itself() -> None:
    window = SensorWindow(T0, include_watermark=False)
    result = evaluate_activities(
        [act(1, 0), act(2, 1)], ActivityFilter(), window, min_count=1, max_items=5
    )
    assert result["activity_ids"] == ["acti_002"]


@pytest.mark.parametrize(("min_count", "max_items"), [(0, 1), (1, 0)])
def test_bounds_must_be_positive(min_count: int, max_items: int) -> None:
    with pytest.raises(ValueError, match="must be at least 1"):
        ActivityTally(ActivityFilter(), WINDOW, max_items).result(min_count)
