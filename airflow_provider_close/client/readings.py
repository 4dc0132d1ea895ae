"""What one ``RateLimit`` reading changes in an endpoint group's state (pure).

Which window the reading belongs to (the current one, the next, or one already over), the
window's end (the earliest its readings give), and what others on the key used in it. The
slot decisions from that state are :mod:`.pacing`; :class:`~.throttle.Throttle` calls
:func:`observed` under its lock.
"""

from __future__ import annotations

from dataclasses import replace

from airflow_provider_close.client.pacing import GroupState
from airflow_provider_close.client.ratelimit import RateLimitInfo

__all__ = ["observed"]


def _others_in(info: RateLimitInfo, own_counted: int, state: GroupState, sent_at: float) -> int:
    """Return the requests of a window Close counted that surely were not this client's.

    ``limit - remaining`` less this client's answers counted in the window; own requests sent
    before the reading's and not answered yet may already be counted, so they are not taken
    for others' (answers arriving out of order never fake another client).
    """
    if not info.limit:
        return 0
    earlier = sum(1 for at in state.sent if at <= sent_at)
    return max(0, info.limit - info.remaining - own_counted - earlier)


def observed(
    state: GroupState, info: RateLimitInfo, sent_at: float, counted: bool, margin: float
) -> GroupState:
    """Return the state after a reading; within one window the lowest ``remaining`` wins.

    ``sent_at`` is moved ``margin`` of the window later (:attr:`ThrottlePolicy.edge_margin`).
    """
    window = max(state.window, info.reset)
    sent_at += margin * window
    old = state.info
    end = sent_at + info.reset
    before, own_before = state.others_before, state.own_before
    refused = (int(not counted), state.refused[1])  # a window a guess began: already moved
    if old is not None:
        old_end = state.observed_at + old.reset
        premature = state.guessed and end > state.observed_at + 0.1 * window
        if end <= old_end - 0.5 * window and not premature:
            # an answer from a window already over, also one a guess has replaced: it says
            # nothing of the current one (taken for its first reading, a low remaining
            # would fake others)
            return replace(state, window=window)
        # ...unless it ends well after the guess began: the last window was not over (its
        # end was dated too early, e.g. from a first round trip slowed by connecting), and
        # it replaces the guess (ignored, clients sent into a full window until it ended)
        if not state.guessed:
            if end - old_end < 0.5 * window:  # the same window (the next ends a window later)
                own = state.own_counted + counted
                best, at = (
                    (old, state.observed_at) if old.remaining < info.remaining else (info, sent_at)
                )
                others = state.others
                if counted:  # a 429 says the window is full, not who filled it
                    others = max(others, _others_in(best, own, state, at))
                # each reading's end is late by its own trip's delay on the way back: the
                # earliest of the window's readings is the closest to the true end
                dated = min(old_end, end) - best.reset
                return replace(
                    state,
                    info=best,
                    observed_at=dated,
                    window=window,
                    own_counted=own,
                    others=others,
                    refused=(state.refused[0] + (not counted), state.refused[1]),
                )
            before, own_before = state.others, state.own_counted
            refused = (int(not counted), state.refused[0])
    own = int(counted)
    return replace(
        state,
        info=info,
        observed_at=sent_at,
        window=window,
        own_counted=own,
        others=_others_in(info, own, state, sent_at) if counted else 0,
        others_before=before,
        own_before=own_before,
        guessed=False,
        refused=refused,
    )
