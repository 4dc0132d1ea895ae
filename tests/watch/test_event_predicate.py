"""The event predicate, summaries and the bounded tally (pure, table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_close.watch.event_predicate import (
    EventTally,
    event_matches,
    event_summary,
)
from airflow_provider_close.watch.event_query import EventFilter

LEAD = "lead_" + "a" * 43
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

WON = EventFilter.of(
    "opportunity", "updated", changed_fields="status_id", data_equals={"status_type": "won"}
)
LEAD_STATUS = EventFilter.of("lead", "updated", changed_fields="status_id")
CALLS = EventFilter.of("activity.call", "created")


def event(
    number: int = 1,
    *,
    object_type: str = "opportunity",
    action: str = "updated",
    changed: list[str] | None = None,
    data: dict[str, Any] | None = None,
    previous: dict[str, Any] | None = None,
    minute: int = 0,
    lead_id: str | None = LEAD,
) -> dict[str, Any]:
    return {
        "id": f"ev_{number:022d}",
        "object_type": object_type,
        "object_id": f"oppo_{number}",
        "lead_id": lead_id,
        "action": action,
        "changed_fields": changed or [],
        "data": data,
        "previous_data": previous or {},
        "date_updated": f"2026-03-01T12:{minute:02d}:00.000000",
    }


@pytest.mark.parametrize(
    ("event_filter", "candidate", "matches"),
    [
        # an opportunity moved to a won status
        (
            WON,
            event(changed=["status_id", "status_label"], data={"status_type": "won"}),
            True,
        ),
        # the same opportunity's value changed: not a status change
        (WON, event(changed=["value"], data={"status_type": "won", "value": 5}), False),
        # moved to a lost status
        (WON, event(changed=["status_id"], data={"status_type": "lost"}), False),
        # data hidden (non-admin, event older than 1 h): cannot prove it was won
        (WON, event(changed=["status_id"], data=None), False),
        (WON, event(action="created", data={"status_type": "won"}), False),
        (LEAD_STATUS, event(object_type="lead", changed=["status_id"], data={}), True),
        (LEAD_STATUS, event(object_type="lead", changed=["name"], data={}), False),
        (LEAD_STATUS, event(object_type="contact", changed=["status_id"], data={}), False),
        (CALLS, event(object_type="activity.call", action="created"), True),
        (CALLS, event(object_type="activity.sms", action="created"), False),
        (CALLS, event(object_type="activity.call", action="deleted"), False),
        (
            EventFilter.of("activity.call", "created", lead_id="lead_" + "z" * 43),
            event(object_type="activity.call", action="created"),
            False,
        ),
    ],
)
def test_event_matches(event_filter: EventFilter, candidate: dict[str, Any], matches: bool) -> None:
    assert event_matches(event_filter, candidate) is matches


def test_summary_keeps_only_the_fields_the_filter_looks_at_and_the_changed_ones() -> None:
    won = event(
        changed=["status_id"],
        data={"status_type": "won", "status_id": "stat_2", "note": "big" * 1000},
        previous={"status_id": "stat_1"},
    )
    summary = event_summary(WON, won)
    assert summary["data"] == {"status_id": "stat_2", "status_type": "won"}
    assert summary["previous_data"] == {"status_id": "stat_1"}
    assert summary["date_updated"] == "2026-03-01T12:00:00.000000+00:00"  # naive read as UTC
    assert summary["changed_fields"] == ["status_id"]


def test_tally_counts_each_event_once_and_keeps_the_earliest_within_the_bound() -> None:
    tally = EventTally(CALLS, T0, None, max_items=2)
    calls = [
        event(n, object_type="activity.call", action="created", minute=10 - n) for n in (1, 2, 3)
    ]
    tally.add_all([*calls, *calls])  # an overlapping second poll lists them again
    tally.add(event(9, object_type="activity.sms", action="created"))
    result = tally.result(min_count=3)
    assert result["satisfied"] is True
    assert result["count"] == 3
    assert [e["id"] for e in result["events"]] == [calls[2]["id"], calls[1]["id"]]
    assert result["truncated"] is True
    assert result["watermark"] == "2026-03-01T12:09:00.000000+00:00"
    assert tally.result(min_count=4)["satisfied"] is False


def test_tally_window_is_since_inclusive_until_exclusive() -> None:
    until = datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    tally = EventTally(CALLS, T0, until, max_items=10)
    for n, minute in enumerate((0, 4, 5, 6), start=1):
        tally.add(event(n, object_type="activity.call", action="created", minute=minute))
    assert [e["date_updated"][11:16] for e in tally.result(1)["events"]] == ["12:00", "12:04"]
    with pytest.raises(ValueError, match="max_items"):
        EventTally(CALLS, T0, None, max_items=0)
    with pytest.raises(ValueError, match="min_count"):
        tally.result(0)
