"""Proactive slow-down: space requests before an endpoint group's ``remaining`` hits zero.

:func:`throttle_delay` is pure. :class:`Throttle` keeps the last reading per endpoint group
and hands out send slots under a lock, so many threads or asyncio tasks sharing one client
are spaced instead of bursting into a 429 together. It never sleeps.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from airflow_provider_close.client.ratelimit import RateLimitInfo

__all__ = ["GroupState", "Throttle", "ThrottlePolicy", "throttle_delay"]


@dataclass(frozen=True)
class ThrottlePolicy:
    """When to start spacing requests.

    :param low_fraction: spacing starts when ``remaining <= low_fraction * limit``...
    :param low_minimum: ...or when ``remaining <= low_minimum``.
    """

    low_fraction: float = 0.1
    low_minimum: int = 2


@dataclass(frozen=True)
class GroupState:
    """The last reading for an endpoint group and the slots handed out since.

    :param info: the last ``RateLimit`` reading.
    :param observed_at: monotonic time it was read.
    :param reserved: requests started since the reading.
    :param next_slot: monotonic time of the next free slot when spacing.
    """

    info: RateLimitInfo
    observed_at: float
    reserved: int = 0
    next_slot: float = 0.0


def throttle_delay(
    state: GroupState | None, now: float, policy: ThrottlePolicy = ThrottlePolicy()
) -> tuple[float, GroupState | None]:
    """Return the seconds to wait before the next request and the state with it reserved.

    :param state: the group's state, ``None`` if nothing was seen yet.
    :param now: monotonic time.
    :param policy: when to start spacing.
    """
    if state is None:
        return 0.0, None
    window_end = state.observed_at + state.info.reset
    if now >= window_end:
        return 0.0, None
    left = state.info.remaining - state.reserved
    if left <= 0:
        return window_end - now, state
    if not _is_low(state.info, left, policy):
        return 0.0, replace(state, reserved=state.reserved + 1)
    slot = max(now, state.next_slot)
    spacing = (window_end - slot) / left
    reserved = replace(state, reserved=state.reserved + 1, next_slot=slot + spacing)
    return slot - now, reserved


def _is_low(info: RateLimitInfo, left: int, policy: ThrottlePolicy) -> bool:
    """Return whether ``left`` requests is few enough to start spacing."""
    threshold = policy.low_minimum
    if info.limit:
        threshold = max(threshold, int(info.limit * policy.low_fraction))
    return left <= threshold


class Throttle:
    """Per-endpoint-group rate-limit state shared by every request of one client.

    :param policy: when to start spacing.
    """

    def __init__(self, policy: ThrottlePolicy | None = None) -> None:
        self._policy = policy or ThrottlePolicy()
        self._groups: dict[str, GroupState] = {}
        self._lock = threading.Lock()
        self.last: RateLimitInfo | None = None

    def reserve(self, group: str, now: float) -> float:
        """Return the seconds the caller must wait before sending, reserving its slot.

        :param group: endpoint group key.
        :param now: monotonic time.
        """
        with self._lock:
            delay, state = throttle_delay(self._groups.get(group), now, self._policy)
            if state is None:
                self._groups.pop(group, None)
            else:
                self._groups[group] = state
            return delay

    def observe(self, group: str, info: RateLimitInfo, now: float) -> None:
        """Record a fresh reading for a group (resets its reservations).

        :param group: endpoint group key.
        :param info: the reading from the response.
        :param now: monotonic time the response arrived.
        """
        with self._lock:
            self._groups[group] = GroupState(info=info, observed_at=now)
            self.last = info
