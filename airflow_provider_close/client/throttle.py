"""Proactive slow-down: space requests before an endpoint group's ``remaining`` hits zero.

:func:`throttle_delay` is pure. :class:`Throttle` keeps, per endpoint group, the last
``RateLimit`` reading and the requests in flight (sent, not yet answered: the server has not
counted them in ``remaining`` yet), and hands out send slots under a lock, so many threads or
asyncio tasks sharing one client are spaced instead of bursting into a 429 together. It never
sleeps.

A slot is either *held* (send after the delay) or not (the window is used up: wait for its
end, then ask again).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from airflow_provider_close.client.ratelimit import RateLimitInfo

__all__ = ["GroupState", "Slot", "Throttle", "ThrottlePolicy", "throttle_delay"]


@dataclass(frozen=True)
class ThrottlePolicy:
    """When to start spacing requests.

    :param low_fraction: spacing starts when ``left <= low_fraction * limit``...
    :param low_minimum: ...or when ``left <= low_minimum``.
    """

    low_fraction: float = 0.1
    low_minimum: int = 2


@dataclass(frozen=True)
class GroupState:
    """What is known about one endpoint group.

    :param info: the last reading (``None``: nothing usable).
    :param observed_at: monotonic time of the reading.
    :param in_flight: requests holding a slot and not yet answered.
    :param next_slot: monotonic time of the next free slot when spacing.
    :param window: longest ``reset`` seen: the estimated window length.
    """

    info: RateLimitInfo | None = None
    observed_at: float = 0.0
    in_flight: int = 0
    next_slot: float = 0.0
    window: float = 0.0


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
    :param policy: when to start spacing.
    """
    state = _current_window(state, now)
    info = state.info
    if info is None:
        return Slot(0.0, True), replace(state, in_flight=state.in_flight + 1)
    window_end = state.observed_at + info.reset
    left = info.remaining - state.in_flight
    if left <= 0:
        return Slot(window_end - now, False), state
    taken = replace(state, in_flight=state.in_flight + 1)
    if not _is_low(info, left, policy):
        return Slot(0.0, True), taken
    slot = max(now, state.next_slot)
    spacing = max(0.0, window_end - slot) / left
    return Slot(slot - now, True), replace(taken, next_slot=slot + spacing)


def _current_window(state: GroupState, now: float) -> GroupState:
    """Return the state with an ended window replaced by the next one (or forgotten)."""
    info = state.info
    if info is None or now < state.observed_at + info.reset:
        return state
    window_end = state.observed_at + info.reset
    if info.limit is None or state.window <= 0 or now >= window_end + state.window:
        return replace(state, info=None)
    fresh = RateLimitInfo(info.limit, info.limit, state.window)
    return replace(state, info=fresh, observed_at=window_end, next_slot=0.0)


def _is_low(info: RateLimitInfo, left: int, policy: ThrottlePolicy) -> bool:
    """Return whether ``left`` requests is few enough to start spacing."""
    threshold = policy.low_minimum
    if info.limit:
        threshold = max(threshold, int(info.limit * policy.low_fraction))
    return left <= threshold


def _observed(state: GroupState, info: RateLimitInfo, now: float) -> GroupState:
    """Return the state after a reading; within one window the lowest ``remaining`` wins."""
    window = max(state.window, info.reset)
    old = state.info
    if old is not None:
        same_window = abs((state.observed_at + old.reset) - (now + info.reset)) < 0.1 * window
        if same_window and old.remaining < info.remaining:
            return replace(state, window=window)
    return replace(state, info=info, observed_at=now, window=window)


class Throttle:
    """Per-endpoint-group rate-limit state shared by every request of one client.

    :param policy: when to start spacing.
    """

    def __init__(self, policy: ThrottlePolicy | None = None) -> None:
        self._policy = policy or ThrottlePolicy()
        self._groups: dict[str, GroupState] = {}
        self._lock = threading.Lock()
        self._last_by_group: dict[str, RateLimitInfo] = {}
        self.last: RateLimitInfo | None = None

    def reading(self, group: str) -> RateLimitInfo | None:
        """Return the last reading of one endpoint group (``None`` before any).

        :param group: endpoint group key (``client.resources.endpoint_group``).
        """
        return self._last_by_group.get(group)

    def reserve(self, group: str, now: float) -> Slot:
        """Return the caller's slot: how long to wait and whether it then holds one.

        :param group: endpoint group key.
        :param now: monotonic time.
        """
        with self._lock:
            slot, state = throttle_delay(self._groups.get(group, GroupState()), now, self._policy)
            self._groups[group] = state
            return slot

    def release(self, group: str) -> None:
        """Give back a held slot once its request was answered or abandoned.

        :param group: endpoint group key.
        """
        with self._lock:
            state = self._groups.get(group)
            if state is not None and state.in_flight > 0:
                self._groups[group] = replace(state, in_flight=state.in_flight - 1)

    def observe(self, group: str, info: RateLimitInfo, now: float) -> None:
        """Record a fresh reading for a group.

        :param group: endpoint group key.
        :param info: the reading from the response.
        :param now: monotonic time the response arrived.
        """
        with self._lock:
            self._groups[group] = _observed(self._groups.get(group, GroupState()), info, now)
            self._last_by_group[group] = info
            self.last = info
