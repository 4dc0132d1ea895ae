"""Proactive slow-down: space requests so that an endpoint group's ``remaining`` never hits zero.

:class:`Throttle` keeps, per endpoint group, the last
``RateLimit`` reading and the requests in flight (sent, not yet answered: the server may not
have counted them in ``remaining`` yet), and hands out send slots under a lock, so many threads
or asyncio tasks sharing one client are spaced instead of bursting into a 429 together. It
never sleeps.

The pacing itself (windows, others on the same key, slots) is pure: :mod:`.pacing`, and what
a reading changes, :mod:`.readings`.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from airflow_provider_close.client.pacing import (
    GroupState,
    Slot,
    ThrottlePolicy,
    is_shared,
    still_free,
    throttle_delay,
)
from airflow_provider_close.client.ratelimit import RateLimitInfo
from airflow_provider_close.client.readings import observed

__all__ = ["Throttle"]


class Throttle:
    """Per-endpoint-group rate-limit state shared by every request of one client.

    :param policy: when to start spacing and the shared reserve.
    """

    def __init__(self, policy: ThrottlePolicy | None = None) -> None:
        self._policy = policy or ThrottlePolicy()
        self._groups: dict[str, GroupState] = {}
        self._lock = threading.Lock()
        self._last_by_group: dict[str, RateLimitInfo] = {}
        self._min_trip = float("inf")  # the quickest round trip of any group (one server)
        self.last: RateLimitInfo | None = None

    def reading(self, group: str) -> RateLimitInfo | None:
        """Return the last reading of one endpoint group (``None`` before any).

        :param group: endpoint group key (``client.resources.endpoint_group``).
        """
        return self._last_by_group.get(group)

    def state(self, group: str) -> GroupState:
        """Return what is known about one endpoint group (for logs and tests).

        :param group: endpoint group key.
        """
        with self._lock:
            return self._groups.get(group, GroupState())

    def reserve(self, group: str, now: float) -> Slot:
        """Return the caller's slot: how long to wait and whether it then holds one.

        :param group: endpoint group key.
        :param now: monotonic time.
        """
        with self._lock:
            slot, state = throttle_delay(self._groups.get(group, GroupState()), now, self._policy)
            self._groups[group] = state
            return slot

    def confirm(self, group: str, now: float) -> bool:
        """Return whether a slot booked earlier may be used now (:func:`still_free`).

        :param group: endpoint group key.
        :param now: monotonic time.
        """
        with self._lock:
            return still_free(self._groups.get(group, GroupState()), now, self._policy)

    def sent(self, group: str, at: float) -> None:
        """Note that a held slot's request was sent.

        :param group: endpoint group key.
        :param at: monotonic send time (pass it back to :meth:`release` and :meth:`observe`).
        """
        with self._lock:
            state = self._groups.get(group, GroupState())
            self._groups[group] = replace(state, sent=(*state.sent, at))

    def release(self, group: str, sent_at: float | None = None) -> None:
        """Give back a held slot once its request was answered or abandoned.

        :param group: endpoint group key.
        :param sent_at: the send time given to :meth:`sent`, if it was sent.
        """
        with self._lock:
            state = self._groups.get(group)
            if state is None or state.in_flight <= 0:
                return
            sent = list(state.sent)
            if sent_at is not None and sent_at in sent:
                sent.remove(sent_at)
            self._groups[group] = replace(state, in_flight=state.in_flight - 1, sent=tuple(sent))

    def observe(
        self,
        group: str,
        info: RateLimitInfo,
        now: float,
        *,
        sent_at: float | None = None,
        counted: bool = True,
    ) -> None:
        """Record a fresh reading for a group.

        :param group: endpoint group key.
        :param info: the reading from the response.
        :param now: monotonic time the response arrived.
        :param sent_at: monotonic time its request was sent (default ``now``): readings are
            dated by it.
        :param counted: Close counted the request (``False`` for a 429: it was refused).
        """
        at = now if sent_at is None else min(sent_at, now)
        with self._lock:
            state = self._groups.get(group, GroupState())
            # time beyond the quickest round trip seen may have been spent on the way to Close;
            # the quickest of any group's (one server): a group's first trips, all slowed by
            # a burst, dated its first window's end too early (429s at the second's start)
            trip = now - at
            self._min_trip = min(self._min_trip, trip)
            margin = 0.0  # alone, a 429's Retry-After is waited out anyway: no margin on top
            shared = state.others > 0 or state.others_before > 0
            if counted or shared:
                # shared, a 429's window end starts the next window for every request
                # (without the margin, the next window's first ones landed in this one)
                at += trip - self._min_trip
                policy = self._policy
                # a whole window without others, and no 429 (an early landing) in it or this one
                alone = not is_shared(state) and state.windows > 0
                margin = policy.alone_edge_margin if alone else policy.edge_margin
            self._groups[group] = observed(state, info, at, counted, margin)
            self._last_by_group[group] = info
            self.last = info
