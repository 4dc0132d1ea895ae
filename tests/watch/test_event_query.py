"""EventFilter validation and the /event/ query plan (pure, table-driven)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from airflow_provider_close.watch.event_query import (
    ALLOWED_EVENT_FILTERS,
    EventFilter,
    event_queries,
)

LEAD = "lead_" + "a" * 43
USER = "user_" + "b" * 43
FLOOR = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"object_types": "activity.call", "actions": "created"},
            [{"object_type": "activity.call", "action": "created"}],
        ),
        (
            {"object_types": ["lead", "contact"], "actions": "created, updated"},
            [
                {"object_type": "contact", "action": "created"},
                {"object_type": "contact", "action": "updated"},
                {"object_type": "lead", "action": "created"},
                {"object_type": "lead", "action": "updated"},
            ],
        ),
        (
            {"object_types": "opportunity", "lead_id": LEAD},
            [{"object_type": "opportunity", "lead_id": LEAD}],
        ),
        ({"lead_id": LEAD}, [{"lead_id": LEAD}]),
        (
            {"user_id": USER, "object_types": "lead", "actions": "updated"},
            [{"user_id": USER, "object_type": "lead", "action": "updated"}],
        ),
        (
            {"lead_id": LEAD, "user_id": USER, "object_types": "lead", "actions": "merged"},
            [{"lead_id": LEAD, "user_id": USER, "object_type": "lead", "action": "merged"}],
        ),
    ],
)
def test_query_plan_is_one_accepted_request_per_type_and_action(
    kwargs: dict[str, object], expected: list[dict[str, str]]
) -> None:
    event_filter = EventFilter.of(**kwargs)  # type: ignore[arg-type]
    assert event_queries(event_filter, None) == expected
    for params in event_queries(event_filter, FLOOR):
        assert params["date_updated__gte"] == "2026-03-01T12:00:00.000000+00:00"
        assert frozenset(set(params) - {"date_updated__gte"}) in ALLOWED_EVENT_FILTERS


@pytest.mark.parametrize(
    ("kwargs", "combination"),
    [
        ({"object_types": "lead"}, "object_type"),  # Close refuses object_type alone
        ({"actions": "created"}, "action"),
        ({}, "(none)"),
        ({"object_types": "lead", "actions": "updated", "lead_id": LEAD, "user_id": None}, None),
    ],
)
def test_combinations_close_refuses_fail_on_construction_naming_the_allowed_ones(
    kwargs: dict[str, object], combination: str | None
) -> None:
    if combination is None:
        EventFilter.of(**kwargs)  # type: ignore[arg-type]  # accepted
        return
    with pytest.raises(ValueError) as caught:
        EventFilter.of(**kwargs)  # type: ignore[arg-type]
    message = str(caught.value)
    assert f"combination {combination};" in message
    assert "action+object_type" in message  # the allowed ones are listed
    assert "lead_id+object_type" in message


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"object_types": "lead", "actions": "updated", "lead_id": "cont_x"}, "lead_id"),
        ({"object_types": "lead", "actions": "updated", "user_id": "user_"}, "user_id"),
        (
            {"object_types": "lead", "actions": "updated", "data_equals": {"status_id": []}},
            "data_equals",
        ),
    ],
)
def test_malformed_inputs_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        EventFilter.of(**kwargs)  # type: ignore[arg-type]


def test_kwargs_round_trip_and_digest_is_stable_across_spellings() -> None:
    one = EventFilter.of(
        "opportunity",
        ["updated"],
        changed_fields="status_id",
        data_equals={"status_type": "won"},
    )
    two = EventFilter.of(
        ["opportunity", "opportunity"],
        "updated",
        changed_fields=["status_id"],
        data_equals={"status_type": ["won"]},
    )
    assert one == two
    assert one.digest() == two.digest()
    assert EventFilter.of(**one.as_kwargs()) == one  # type: ignore[arg-type]
    other = EventFilter.of("opportunity", "updated", changed_fields="status_id")
    assert other.digest() != one.digest()
