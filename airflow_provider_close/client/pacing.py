"""How long the next request of one endpoint group waits: pure functions of what is known.

Nothing here sleeps or keeps state: :class:`~.throttle.Throttle` holds each group's
:class:`GroupState` and calls these under its lock; what a reading changes is
:mod:`.readings`.

**Windows.** A reading is dated by the *send* time of the request it answers (plus what its
round trip took beyond the quickest one seen, which may have been spent on the way to Close,
plus a small margin), so ``dated + reset`` is when a request must be sent to reach Close
just after the window ends (dating it by the answer's arrival idled one round trip per
window: 0.83 of the limit at 200 ms). Each reading of a window says when it ends, late by
its own trip's delay on the way back; the earliest of them is kept (the lowest ``remaining``
alone idled 10-30 ms more per window edge).

**Others on the same key** (other tasks, possibly on other machines) show only in Close's
numbers: ``remaining`` drops by more than this client's own counted answers. While others are
seen (this window or the last), sends are paced evenly over what ``remaining`` allows until
``reset``, less what the others are expected to have taken since the reading, less a small
reserve. Every client on the key reads the same ``remaining``, so each takes the same pace:
together they spend the window's budget without overshooting it. Each takes its part of the
last window (one request more), twice that during the first windows so that late comers catch
up, falling to once over ten windows. A 429 also makes a client pace itself so for that window
and the next. Alone, a client keeps the whole budget and only spaces its sends once
``remaining`` runs low, at the limit's own pace (``window / limit`` apart) or faster when the
window ends sooner: spreading the last requests over the whole rest of the window bought
nothing under a fixed window and idled a run's last one (one task at 100/s, 200 ms: the last
100 creates took the whole second).

A guess (the next window, assumed full once the last one's dated end passed) gives way to an
answer showing the last window still running (its end was dated too early, e.g. from a first
round trip slowed by connecting).

A slot is either *held* (send after the delay) or not (nothing is left for now: wait, then ask
again).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from airflow_provider_close.client.ratelimit import RateLimitInfo

__all__ = ["GroupState", "Slot", "ThrottlePolicy", "is_shared", "still_free", "throttle_delay"]


@dataclass(frozen=True)
class ThrottlePolicy:
    """When to start spacing requests, and what to keep back when the key is shared.

    :param low_fraction: alone, spacing starts when ``left <= low_fraction * limit``...
    :param low_minimum: ...or when ``left <= low_minimum``.
    :param shared_reserve: requests of each window left unspent while others use the key
        (covers readings that are one round trip old).
    :param edge_margin: fraction of the window a reading's end is moved later, so that
        latency jitter does not land the first request of a window in the last one...
    :param alone_edge_margin: ...and the same once a whole window passed with no other
        client seen on the key and no 429 (this window or the last): a request landing
        early then costs one 429 of this client's, waited out, while every window pays the
        margin (one task at 100/s, 200 ms: 0.95 of the limit with 2%, 0.96 with 1%). Not
        from the start: clients meeting on a key in their first window each take
        themselves for alone (``shared_key_model``, 2 clients at 200 ms: 7 429s in 602
        requests with 1% from the start, 4 with 2%).
    :param probe_wait: seconds to wait, while nothing is known of a group and one request
        is on its way to find out, before asking again.
    :param catch_up: while the key is shared, the share of what is left a client paces itself
        for is its part of the last window (one request more), times ``1 + catch_up`` at
        first, so that clients that started late catch up fast...
    :param catch_up_windows: ...falling to 1 over this many windows: a lasting excess made
        the clients together spend each window's budget early and answered the readings one
        round trip old with 429s (4 plain clients of 8 requests in flight at 10/s: 11.5% 429).
    """

    low_fraction: float = 0.1
    low_minimum: int = 2
    shared_reserve: float = 1.0
    probe_wait: float = 0.05
    edge_margin: float = 0.02
    alone_edge_margin: float = 0.01
    catch_up: float = 1.0
    catch_up_windows: int = 10


@dataclass(frozen=True)
class GroupState:
    """What is known about one endpoint group.

    :param info: the authoritative reading: the lowest ``remaining`` of the current window.
    :param observed_at: monotonic send time of the request that reading answers.
    :param in_flight: requests holding a slot and not yet answered (booked or sent).
    :param sent: send times of those already sent (the server may have counted them).
    :param next_slot: monotonic time of the next free slot when spacing.
    :param window: longest ``reset`` seen: the estimated window length.
    :param own_counted: this client's answers counted by Close in the current window.
    :param others: requests others made in the current window (``limit - remaining`` less
        ``own_counted``, the most seen).
    :param others_before: the same for the previous window.
    :param own_before: ``own_counted`` of the previous window.
    :param guessed: ``info`` is a guess (a window assumed full after the last one ended),
        replaced by the next real reading.
    :param windows: windows seen to end (the catch-up falls with them).
    :param refused: 429s seen in the current window and the last: while any, the client
        paces itself as if shared (a client refused by full windows took itself for alone in
        the next one and sent all its requests at once).
    """

    info: RateLimitInfo | None = None
    observed_at: float = 0.0
    in_flight: int = 0
    sent: tuple[float, ...] = ()
    next_slot: float = 0.0
    window: float = 0.0
    own_counted: int = 0
    others: int = 0
    others_before: int = 0
    own_before: int = 0
    guessed: bool = False
    windows: int = 0
    refused: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Slot:
    """The throttle's answer.

    :param delay: seconds to wait.
    :param held: a slot is held (send after ``delay``); else wait, then ask again.
    """

    delay: float
    held: bool


def throttle_delay(
    state: GroupState, now: float, policy: ThrottlePolicy = ThrottlePolicy()
) -> tuple[Slot, GroupState]:
    """Return the slot for the next request and the group state after granting it.

    :param state: the group's state.
    :param now: monotonic time.
    :param policy: when to start spacing and the shared reserve.
    """
    state = _current_window(state, now)
    info = state.info
    if info is None:
        if state.in_flight > 0:  # one request at a time until the first reading
            return Slot(policy.probe_wait, False), state
        return Slot(0.0, True), replace(state, in_flight=state.in_flight + 1)
    window_end = state.observed_at + info.reset
    shared = is_shared(state)
    left = _left(info, state, state.in_flight, now, policy)
    if left <= 0:
        wait = window_end - now
        if shared and info.limit:  # others may take less than expected: look again soon
            wait = min(wait, state.window / info.limit)
        return Slot(max(0.0, wait), False), state
    taken = replace(state, in_flight=state.in_flight + 1)
    if not shared and not _is_low(info, left, policy):
        return Slot(0.0, True), taken
    slot = max(now, state.next_slot)
    if shared and slot > now:  # no booking ahead: the pace follows each fresh reading
        return Slot(slot - now, False), state
    spacing = max(0.0, window_end - slot) / (left * _share(state, policy))
    if not shared and info.limit and state.window > 0:  # alone: never slower than the limit's pace
        spacing = min(spacing, state.window / info.limit)
    return Slot(slot - now, True), replace(taken, next_slot=slot + spacing)


def still_free(state: GroupState, now: float, policy: ThrottlePolicy = ThrottlePolicy()) -> bool:
    """Return whether a slot booked earlier may still be used now.

    A booked slot was granted from an older reading; when its time comes, the freshest
    reading (others may have spent the budget meanwhile) must still leave a request for it.

    :param state: the group's state (the caller's booking included in ``in_flight``).
    :param now: monotonic time.
    :param policy: the shared reserve.
    """
    state = _current_window(state, now)
    if state.info is None:
        return True
    return _left(state.info, state, len(state.sent), now, policy) >= 1


def is_shared(state: GroupState) -> bool:
    """Return whether others were seen using the key, or 429s (this window or the last)."""
    return state.others > 0 or state.others_before > 0 or sum(state.refused) > 0


def _left(
    info: RateLimitInfo, state: GroupState, mine: int, now: float, policy: ThrottlePolicy
) -> float:
    """Return the requests this client may still send in the window, ``mine`` not yet counted.

    When shared: less the reserve and what others are expected to have sent since the
    reading (their pace of the last window times the reading's age).
    """
    left = float(info.remaining - mine)
    if is_shared(state):
        left -= policy.shared_reserve
        if state.window > 0 and not state.guessed:
            pace = max(state.others_before, state.others) / state.window
            left -= pace * max(0.0, now - state.observed_at)
    return left


def _share(state: GroupState, policy: ThrottlePolicy) -> float:
    """Return the part of what is left this client may take: its part of the last window.

    One request more than it had, so that a client that had little can grow, and more during
    the first windows (:attr:`ThrottlePolicy.catch_up`); 1 when alone.
    """
    mine, theirs = state.own_before, state.others_before
    if mine + theirs == 0:  # no whole window seen yet: this one so far
        mine, theirs = state.own_counted, state.others
    fading = max(0.0, 1.0 - state.windows / max(1, policy.catch_up_windows))
    return min(1.0, (1.0 + policy.catch_up * fading) * (mine + 1) / (mine + theirs + 1))


def _current_window(state: GroupState, now: float) -> GroupState:
    """Return the state with an ended window replaced by a guess of the next one.

    The guess is a full window, starting where the last one ended (or now, after a gap);
    what others used is carried over (a guessed window taught nothing about them).
    """
    info = state.info
    if info is None or now < state.observed_at + info.reset:
        return state
    window_end = state.observed_at + info.reset
    before = state.others_before if state.guessed else state.others
    own = state.own_before if state.guessed else state.own_counted
    if info.limit is None or state.window <= 0:
        return replace(
            state,
            info=None,
            own_counted=0,
            others=0,
            others_before=before,
            own_before=own,
            refused=(0, state.refused[0]),
        )
    start = window_end if now < window_end + state.window else now
    return replace(
        state,
        windows=state.windows + 1,
        info=RateLimitInfo(info.limit, info.limit, state.window),
        observed_at=start,
        next_slot=0.0,
        own_counted=0,
        others=0,
        others_before=before,
        own_before=own,
        guessed=True,
        refused=(0, state.refused[0]),
    )


def _is_low(info: RateLimitInfo, left: int | float, policy: ThrottlePolicy) -> bool:
    """Return whether ``left`` requests is few enough to start spacing."""
    threshold = policy.low_minimum
    if info.limit:
        threshold = max(threshold, int(info.limit * policy.low_fraction))
    return left <= threshold
