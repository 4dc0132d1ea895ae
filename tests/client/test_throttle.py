"""Proactive throttling: pure slot decisions and reservations across concurrent callers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from airflow_provider_close.client.pacing import GroupState, Slot, throttle_delay
from airflow_provider_close.client.ratelimit import RateLimitInfo
from airflow_provider_close.client.throttle import Throttle


def state(
    limit: int | None, remaining: int, reset: float, *, in_flight: int = 0, next_slot: float = 0.0
) -> GroupState:
    info = RateLimitInfo(limit, remaining, reset)
    return GroupState(
        info, observed_at=100.0, in_flight=in_flight, next_slot=next_slot, window=reset
    )


@pytest.mark.parametrize(
    ("group_state", "now", "expected"),
    [
        (GroupState(), 100.0, Slot(0.0, True)),  # nothing known yet
        (state(100, 50, 5.0), 100.0, Slot(0.0, True)),  # plenty left
        (state(100, 0, 5.0), 100.0, Slot(5.0, False)),  # none left: wait for the reset, ask again
        (state(100, 0, 5.0), 103.0, Slot(2.0, False)),
        (state(100, 0, 5.0), 105.0, Slot(0.0, True)),  # next window
        (state(100, 0, 5.0), 111.0, Slot(0.0, True)),  # long gone
        (state(100, 4, 4.0), 100.0, Slot(0.0, True)),  # low: first slot now...
        (state(100, 4, 4.0, next_slot=101.0), 100.0, Slot(1.0, True)),  # ...the next later
        (state(None, 2, 2.0), 100.0, Slot(0.0, True)),
        (state(10, 3, 3.0, in_flight=3), 100.0, Slot(3.0, False)),  # all in flight
        (state(10, 9, 3.0, in_flight=7), 100.0, Slot(0.0, True)),  # 2 left: spacing starts
    ],
)
def test_throttle_delay(group_state: GroupState, now: float, expected: Slot) -> None:
    slot, _ = throttle_delay(group_state, now)
    assert slot.delay == pytest.approx(expected.delay)
    assert slot.held == expected.held


def test_holding_a_slot_counts_it_in_flight() -> None:
    _, after = throttle_delay(state(100, 50, 5.0), 100.0)
    assert after.in_flight == 1
    _, after = throttle_delay(state(100, 0, 5.0), 100.0)
    assert after.in_flight == 0


def test_an_ended_window_with_a_known_limit_starts_a_fresh_one() -> None:
    _, after = throttle_delay(state(10, 0, 2.0), 102.5)
    assert after.info == RateLimitInfo(10, 10, 2.0)
    assert after.observed_at == 102.0


def test_low_remaining_alone_spaces_requests_at_the_limits_pace() -> None:
    current, slots = state(100, 4, 4.0), []
    for _ in range(5):
        slot, current = throttle_delay(current, 100.0)
        slots.append(slot)
    # 4 left of 100 per 4 s: one per 40 ms (the limit's pace), not one per second (the rest
    # of the window): spread so, a run's last window idled; the 5th waits for the window's end
    assert [s.delay for s in slots] == pytest.approx([0.0, 0.04, 0.08, 0.12, 4.0])
    assert [s.held for s in slots] == [True, True, True, True, False]


def test_low_remaining_alone_spaces_faster_when_the_window_ends_sooner() -> None:
    current, slots = state(10, 2, 0.1), []
    for _ in range(2):
        slot, current = throttle_delay(replace(current, window=1.0), 100.0)
        slots.append(slot)
    # 2 left, the window ends in 0.1 s: 50 ms apart, quicker than the limit's pace (100 ms)
    assert [s.delay for s in slots] == pytest.approx([0.0, 0.05])


def test_readings_are_dated_by_the_quickest_trip_of_any_group() -> None:
    throttle = Throttle()
    # a search answered in 50 ms: the quickest trip to this server
    throttle.observe("read:data", RateLimitInfo(100, 99, 1.0), now=0.05, sent_at=0.0)
    # a write's first trip took 150 ms: 100 ms of it may have been spent on the way to Close,
    # so its window ends 100 ms later than its send plus reset (plus the 2% margin)
    throttle.observe("write:lead", RateLimitInfo(1, 0, 1.0), now=0.15, sent_at=0.0)
    assert throttle.reserve("write:lead", 0.15) == Slot(pytest.approx(0.97), False)


def test_released_slots_free_capacity() -> None:
    throttle = Throttle()
    throttle.observe("read:lead", RateLimitInfo(1, 1, 5.0), now=0.0)
    assert throttle.reserve("read:lead", 0.0).held
    assert not throttle.reserve("read:lead", 0.0).held
    throttle.release("read:lead")
    assert throttle.reserve("read:lead", 0.0).held


def test_plenty_left_never_delays_and_groups_are_separate() -> None:
    throttle = Throttle()
    throttle.observe("read:lead", RateLimitInfo(1, 0, 9.0), now=0.0)
    throttle.observe("read:contact", RateLimitInfo(None, 90, 9.0), now=0.0)
    assert [throttle.reserve("read:contact", 0.0).delay for _ in range(20)] == [0.0] * 20
    # the window's end, dated from the send, plus the edge margin (2% of the window)
    assert throttle.reserve("read:lead", 0.0) == Slot(pytest.approx(9.18), False)
    assert throttle.reserve("write:lead", 0.0) == Slot(0.0, True)


def test_a_stale_higher_reading_in_the_same_window_does_not_win() -> None:
    throttle = Throttle()
    throttle.observe("read:lead", RateLimitInfo(None, 1, 5.0), now=0.0)
    throttle.observe("read:lead", RateLimitInfo(None, 6, 4.9), now=0.1)  # answered out of order
    assert throttle.reserve("read:lead", 0.1).held
    assert not throttle.reserve("read:lead", 0.1).held
    assert throttle.last == RateLimitInfo(None, 6, 4.9)


def test_each_endpoint_group_keeps_its_own_last_reading() -> None:
    throttle = Throttle()
    throttle.observe("write:lead", RateLimitInfo(limit=10, remaining=9, reset=1.0), now=0.0)
    throttle.observe("read:data", RateLimitInfo(limit=600, remaining=500, reset=1.0), now=0.1)
    assert throttle.last is not None
    assert throttle.last.limit == 600
    writes = throttle.reading("write:lead")
    assert writes is not None
    assert writes.limit == 10
    assert throttle.reading("write:contact") is None


def test_the_window_ends_when_its_earliest_reading_says() -> None:
    throttle = Throttle()
    # the quickest trip (50 ms): its window ends 1.0 s after its send, plus the 2% margin
    throttle.observe("write:lead", RateLimitInfo(2, 1, 1.0), now=0.05, sent_at=0.0)
    # the last reading, slowed 100 ms on its way back, would put the end 50 ms later
    throttle.observe("write:lead", RateLimitInfo(2, 0, 0.85), now=0.25, sent_at=0.1)
    assert throttle.reserve("write:lead", 0.3) == Slot(pytest.approx(0.72), False)


def _answered(throttle: Throttle, at: float, remaining: int) -> None:
    """One request of 100 per second sent and answered at ``at`` (no trip), window of 1 s."""
    assert throttle.reserve("write:lead", at) == Slot(0.0, True)
    throttle.sent("write:lead", at)
    throttle.release("write:lead", at)
    throttle.observe("write:lead", RateLimitInfo(100, remaining, 1.0), now=at, sent_at=at)


def _dated_end(throttle: Throttle) -> float:
    state = throttle.state("write:lead")
    assert state.info is not None
    return state.observed_at + state.info.reset


def test_the_edge_margin_halves_after_a_whole_window_alone() -> None:
    alone = Throttle()
    _answered(alone, 0.0, 99)
    assert _dated_end(alone) == pytest.approx(1.02)  # nothing known of others yet: 2%
    _answered(alone, 1.03, 99)  # the next window: the last one had no one else
    assert _dated_end(alone) == pytest.approx(2.04)  # 1%
    shared = Throttle()
    _answered(shared, 0.0, 90)  # 9 requests of others counted with ours
    _answered(shared, 1.03, 99)
    assert _dated_end(shared) == pytest.approx(2.05)  # others were seen last window: 2%


def test_a_429_brings_the_full_edge_margin_back_for_that_window_and_the_next() -> None:
    throttle = Throttle()
    _answered(throttle, 0.0, 99)
    _answered(throttle, 1.03, 99)  # a whole window alone: 1%
    assert throttle.reserve("write:lead", 1.5) == Slot(0.0, True)
    throttle.sent("write:lead", 1.5)
    throttle.release("write:lead", 1.5)
    refused = RateLimitInfo(100, 0, 0.54)  # landed in a full window: the dating was early
    throttle.observe("write:lead", refused, now=1.5, sent_at=1.5, counted=False)
    _answered(throttle, 2.05, 99)  # the next window
    assert _dated_end(throttle) == pytest.approx(3.07)  # 2% again, not 1% (3.06)
