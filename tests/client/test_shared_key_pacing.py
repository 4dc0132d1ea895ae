"""Clients sharing one key pace themselves from Close's ``remaining``: few 429s, full budget.

The model (``shared_key_model.py``) runs the real attempt machine and throttle of each client
against the sandbox's real rate limiter on an injected clock.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from airflow_provider_close.client.pacing import GroupState, still_free, throttle_delay
from airflow_provider_close.client.ratelimit import RateLimitInfo
from airflow_provider_close.client.throttle import Throttle
from tests.client.shared_key_model import run_shared_key


@pytest.mark.parametrize(("clients", "latency"), [(2, 0.05), (4, 0.05), (2, 0.2)])
def test_clients_sharing_a_key_stay_within_its_budget(clients: int, latency: float) -> None:
    run = run_shared_key(clients, latency=latency)
    assert run.share_429 < 0.01  # each assuming a full window gave 25-55% here
    assert run.fraction >= 0.9
    assert min(run.done) >= 0.8 * max(run.done)  # shared fairly


@pytest.mark.parametrize("latency", [0.05, 0.2])
def test_one_client_alone_uses_the_whole_budget(latency: float) -> None:
    run = run_shared_key(1, latency=latency)
    assert run.rate_limited == 0
    # dating readings by their answer's arrival idled one round trip per window (0.83 at 200 ms)
    assert run.fraction >= 0.95


def _reading(limit: int, remaining: int, reset: float) -> RateLimitInfo:
    return RateLimitInfo(limit, remaining, reset)


def test_others_are_what_remaining_dropped_beyond_own_answers() -> None:
    throttle = Throttle()
    throttle.observe("write:lead", _reading(20, 19, 1.0), now=0.05, sent_at=0.0)
    assert throttle.state("write:lead").others == 0  # one request counted: ours
    throttle.observe("write:lead", _reading(20, 15, 0.9), now=0.15, sent_at=0.1)
    assert throttle.state("write:lead").others == 3  # 5 counted, 2 of them ours
    throttle.observe("write:lead", _reading(20, 0, 0.8), now=0.25, sent_at=0.2, counted=False)
    assert throttle.state("write:lead").others == 3  # a 429 says the window is full, not who


def test_own_requests_in_flight_are_never_taken_for_others() -> None:
    throttle = Throttle()
    for _ in range(3):  # three sent at once
        throttle.sent("write:lead", 0.0)
    throttle.release("write:lead", 0.0)  # the first answered (release comes before observe)
    # answered first, but the two sent with it may be counted already
    throttle.observe("write:lead", _reading(20, 17, 1.0), now=0.05, sent_at=0.0)
    assert throttle.state("write:lead").others == 0


def test_a_late_answer_from_the_window_a_guess_replaced_fakes_no_others() -> None:
    # Alone at 100/s: the window ended (the throttle guesses the next one full), then an
    # answer sent just before that end arrives: remaining 0, reset 0.02. It belongs to the
    # old window; taken for the new window's first reading it would show 99 "others" and
    # pace a lone client as if shared (0.40 of the limit at 100/s instead of 0.94).
    throttle = Throttle()
    throttle.observe("write:lead", _reading(100, 99, 1.0), now=0.05, sent_at=0.0)
    assert throttle.reserve("write:lead", 1.05).held  # the guessed window: full
    throttle.observe("write:lead", _reading(100, 0, 0.02), now=1.06, sent_at=0.98)
    state = throttle.state("write:lead")
    assert (state.others, state.others_before) == (0, 0)
    assert throttle.reserve("write:lead", 1.07).held


def test_a_reading_is_dated_by_its_send_plus_the_edge_margin() -> None:
    throttle = Throttle()
    throttle.observe("write:lead", _reading(1, 0, 1.0), now=0.2, sent_at=0.0)
    slot = throttle.reserve("write:lead", 0.2)
    assert not slot.held
    assert slot.delay == pytest.approx(1.02 - 0.2)  # not 1.2: the answer's 0.2 s are latency


def _shared(remaining: int, *, others: int = 5, sent: tuple[float, ...] = ()) -> GroupState:
    return GroupState(
        _reading(20, remaining, 1.0),
        observed_at=0.0,
        window=1.0,
        in_flight=len(sent),
        sent=sent,
        own_counted=20 - remaining - others,
        others=others,
        others_before=others,
        own_before=10,
    )


def test_shared_pace_spreads_what_is_left_and_books_nothing_ahead() -> None:
    first, state = throttle_delay(_shared(11), 0.0)
    assert first.held
    assert first.delay == 0.0
    # 11 left, 1 kept in reserve: 10 over the second left
    assert state.next_slot == pytest.approx(1.0 / 10)
    second, after = throttle_delay(state, 0.0)
    assert (second.held, second.delay) == (False, pytest.approx(1.0 / 10))  # ask again then
    assert after.in_flight == 1


def test_shared_pace_subtracts_what_others_sent_since_the_reading() -> None:
    # 4 left, others ran at 5 per second: 0.6 s later they have taken 3 of them
    slot, _ = throttle_delay(_shared(4), 0.6)
    assert not slot.held
    alone = GroupState(_reading(20, 4, 1.0), observed_at=0.0, window=1.0, own_counted=16)
    assert throttle_delay(alone, 0.6)[0].held


def test_a_booked_slot_is_confirmed_against_the_freshest_reading() -> None:
    assert still_free(_shared(5, sent=()), 0.0)
    assert not still_free(_shared(2, sent=(0.0,)), 0.0)  # 2 left: ours in flight, the reserve


def test_a_new_window_is_guessed_full_and_keeps_what_others_used() -> None:
    _, state = throttle_delay(_shared(0), 1.5)
    assert state.guessed
    assert state.info == _reading(20, 20, 1.0)
    assert state.others_before == 5
    assert state.observed_at == pytest.approx(1.0)


def test_nothing_known_lets_one_request_find_out() -> None:
    first, state = throttle_delay(GroupState(), 0.0)
    second, _ = throttle_delay(state, 0.0)
    assert first.held
    assert not second.held
    assert second.delay > 0


def test_a_429_of_a_shared_key_is_dated_with_the_edge_margin_too() -> None:
    # its end (the next window's start) keeps the margin that keeps jitter from landing the
    # next window's first request in this one
    throttle = Throttle()
    throttle.observe("write:lead", _reading(2, 0, 1.0), now=0.05, sent_at=0.0)  # 1 other
    throttle.observe("write:lead", _reading(2, 0, 0.9), now=0.15, sent_at=0.1, counted=False)
    slot = throttle.reserve("write:lead", 0.8)
    assert (slot.held, slot.delay) == (False, pytest.approx(0.1 + 0.02 + 0.9 - 0.8))


def _spacing(windows: int) -> float:
    state = replace(_shared(11), own_before=5, others_before=15, windows=windows)
    _, after = throttle_delay(state, 0.0)
    return after.next_slot


def test_a_sharing_client_catches_up_at_first_then_paces_for_its_part() -> None:
    # its part of the last window, one request more: 6 of 21; at first twice that, falling
    # to once over ten windows (taking twice for good spent each window's budget early)
    assert _spacing(0) == pytest.approx(1.0 / (10 * 2 * 6 / 21))
    assert _spacing(5) == pytest.approx(1.0 / (10 * 1.5 * 6 / 21))
    assert _spacing(10) == pytest.approx(1.0 / (10 * 6 / 21))
    assert _spacing(30) == pytest.approx(1.0 / (10 * 6 / 21))


def test_a_client_refused_by_a_full_window_paces_the_next_one() -> None:
    throttle = Throttle()
    throttle.observe("write:lead", _reading(10, 0, 0.5), now=0.05, sent_at=0.0, counted=False)
    slots = [throttle.reserve("write:lead", 0.6) for _ in range(3)]
    # not all at once as if alone: one now, the next asked again a slot later
    assert [s.held for s in slots] == [True, False, False]
    assert slots[1].delay > 0


def test_a_reading_that_shows_the_last_window_not_over_replaces_the_guess() -> None:
    throttle = Throttle()
    # a first answer slowed by connecting: its window's end is dated too early (1.02)
    throttle.observe("write:lead", _reading(1, 0, 1.0), now=0.4, sent_at=0.0)
    assert throttle.reserve("write:lead", 1.05).held  # guessed: a fresh window
    # refused: the window had 0.3 s to go (dated by its send)
    throttle.observe("write:lead", _reading(1, 0, 0.3), now=1.1, sent_at=1.05, counted=False)
    slot = throttle.reserve("write:lead", 1.1)
    assert not slot.held
    assert slot.delay == pytest.approx(1.05 + 0.3 - 1.1)
