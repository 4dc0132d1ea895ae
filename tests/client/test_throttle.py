"""Proactive throttling: pure delays and slot reservation across concurrent callers."""

from __future__ import annotations

import pytest

from airflow_provider_close.client.ratelimit import RateLimitInfo
from airflow_provider_close.client.throttle import GroupState, Throttle, throttle_delay


def state(limit: int | None, remaining: int, reset: float, **kw: float) -> GroupState:
    return GroupState(RateLimitInfo(limit, remaining, reset), observed_at=100.0, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("group_state", "now", "expected_delay"),
    [
        (None, 100.0, 0.0),  # nothing seen yet
        (state(100, 50, 5.0), 100.0, 0.0),  # plenty left
        (state(100, 0, 5.0), 100.0, 5.0),  # none left: wait for the reset
        (state(100, 0, 5.0), 103.0, 2.0),
        (state(100, 0, 5.0), 105.0, 0.0),  # window over
        (state(100, 0, 5.0), 110.0, 0.0),
        (state(100, 4, 4.0), 100.0, 0.0),  # low: first slot now...
        (state(100, 4, 4.0, next_slot=101.0), 100.0, 1.0),  # ...the next one later
        (state(None, 2, 2.0), 100.0, 0.0),
        (state(10, 3, 3.0, reserved=3), 100.0, 3.0),  # all reserved: wait for the reset
    ],
)
def test_throttle_delay(group_state: GroupState | None, now: float, expected_delay: float) -> None:
    delay, _ = throttle_delay(group_state, now)
    assert delay == pytest.approx(expected_delay)


def test_low_remaining_spaces_requests_over_the_window() -> None:
    throttle = Throttle()
    throttle.observe("read:lead", RateLimitInfo(100, 4, 4.0), now=0.0)
    delays = [throttle.reserve("read:lead", now=0.0) for _ in range(5)]
    # 4 left in 4 s: one per second, then the 5th waits for the window to end
    assert delays == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])


def test_plenty_left_never_delays_and_groups_are_separate() -> None:
    throttle = Throttle()
    throttle.observe("read:lead", RateLimitInfo(100, 0, 9.0), now=0.0)
    throttle.observe("read:contact", RateLimitInfo(100, 90, 9.0), now=0.0)
    assert [throttle.reserve("read:contact", 0.0) for _ in range(20)] == [0.0] * 20
    assert throttle.reserve("read:lead", 0.0) == pytest.approx(9.0)
    assert throttle.reserve("write:lead", 0.0) == 0.0


def test_a_fresh_reading_replaces_reservations_and_is_exposed_as_last() -> None:
    throttle = Throttle()
    throttle.observe("read:lead", RateLimitInfo(10, 1, 5.0), now=0.0)
    assert throttle.reserve("read:lead", 0.0) == 0.0
    assert throttle.reserve("read:lead", 0.0) == pytest.approx(5.0)
    throttle.observe("read:lead", RateLimitInfo(10, 9, 5.0), now=1.0)
    assert throttle.reserve("read:lead", 1.0) == 0.0
    assert throttle.last == RateLimitInfo(10, 9, 5.0)


def test_window_end_forgets_the_group() -> None:
    throttle = Throttle()
    throttle.observe("read:lead", RateLimitInfo(10, 0, 1.0), now=0.0)
    assert throttle.reserve("read:lead", 2.0) == 0.0
    assert throttle.reserve("read:lead", 2.0) == 0.0
