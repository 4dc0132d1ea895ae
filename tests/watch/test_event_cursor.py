"""The watcher cursor: watermark, lookback re-scan, de-duplication, JSON round trip (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.watch.event_cursor import EventCursor
from airflow_provider_close.watch.event_query import EventFilter

CALLS = EventFilter.of("activity.call", "created")


def call(number: int, second: int, object_type: str = "activity.call") -> dict[str, Any]:
    moment = datetime(2026, 3, 1, 12, 0, tzinfo=UTC) + timedelta(seconds=second)
    return {
        "id": f"ev_{number}",
        "object_type": object_type,
        "object_id": f"acti_{number}",
        "action": "created",
        "changed_fields": [],
        "date_updated": moment.replace(tzinfo=None).isoformat(timespec="microseconds"),
    }


def ids(summaries: list[Any]) -> list[str]:
    return [summary["id"] for summary in summaries]


def test_start_marks_history_as_emitted_and_sets_the_floor_one_lookback_below() -> None:
    cursor = EventCursor(lookback=timedelta(seconds=300))
    cursor.start([call(2, 100), call(1, 50)], CALLS)
    assert cursor.watermark == datetime(2026, 3, 1, 12, 1, 40, tzinfo=UTC)
    assert cursor.floor() == datetime(2026, 3, 1, 11, 56, 40, tzinfo=UTC)
    # the next poll lists them again (inside the lookback): nothing new
    assert cursor.absorb([call(2, 100), call(1, 50)], CALLS) == []


def test_absorb_returns_new_matches_oldest_first_once_and_late_arrivals_inside_lookback() -> None:
    cursor = EventCursor(lookback=timedelta(seconds=300))
    cursor.start([call(1, 0)], CALLS)
    new = cursor.absorb([call(3, 20), call(9, 15, "activity.sms"), call(2, 10), call(1, 0)], CALLS)
    assert ids(new) == ["ev_2", "ev_3"]
    # a late event, older than the watermark but inside the lookback, is still found
    late = cursor.absorb([call(3, 20), call(4, 5), call(2, 10)], CALLS)
    assert ids(late) == ["ev_4"]
    assert cursor.watermark == datetime(2026, 3, 1, 12, 0, 20, tzinfo=UTC)


def test_emitted_ids_are_pruned_below_the_floor_so_the_cursor_stays_bounded() -> None:
    cursor = EventCursor(lookback=timedelta(seconds=60))
    cursor.start([], CALLS)
    assert cursor.watermark is None
    assert cursor.floor() is None  # empty log: the next poll lists it whole
    for second in range(0, 600, 10):
        cursor.absorb([call(second, second)], CALLS)
    assert set(cursor.emitted) == {f"ev_{s}" for s in range(530, 600, 10)}


def test_json_round_trip_resumes_exactly() -> None:
    cursor = EventCursor(lookback=timedelta(seconds=300))
    cursor.start([call(1, 0)], CALLS)
    cursor.absorb([call(2, 10)], CALLS)
    stored = cursor.to_json()
    resumed = EventCursor.from_json(stored, timedelta(seconds=300))
    assert resumed == cursor
    assert ids(resumed.absorb([call(3, 30), call(2, 10), call(1, 0)], CALLS)) == ["ev_3"]
    with pytest.raises(ValueError, match="version"):
        EventCursor.from_json({**stored, "version": 99})
