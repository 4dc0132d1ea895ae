"""How many rows a bulk run keeps in flight: the live rate budget times the round trip.

Two mechanisms cooperate. The client's throttle (``client/throttle.py``, ``client/pacing.py``)
spaces every request from the live ``RateLimit`` reading of its endpoint group, counting the
requests in flight and what other tasks on the key take, so that ``remaining`` never hits
zero: that is where sends are paced. :class:`AdaptiveLimiter` only decides how many workers
run (``bulk/pool.py``): enough to keep the budget busy, i.e. the allowed rate (``limit`` per
window, the window being the longest ``reset`` seen) times the measured least recent round
trip of one item (its wait for the throttle excluded as far as possible), with headroom;
halved whenever new 429s were counted; never above ``max_concurrency``. Before any reading it
grows by one per item (slow start).
:func:`next_concurrency` is the pure decision.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from airflow_provider_close.client.ratelimit import RateLimitInfo

__all__ = ["AdaptiveLimiter", "budget_concurrency", "next_concurrency"]

_HEALTHY_FRACTION = 0.5
#: Workers beyond rate x round trip, so a slow answer does not leave the budget idle.
_HEADROOM = 1.5
#: Items whose durations the round trip is the minimum of.
_ROUND_TRIP_SAMPLES = 64


def budget_concurrency(limit: int, window: float, round_trip: float, maximum: int) -> int:
    """Return the workers that keep ``limit`` requests per ``window`` seconds busy.

    :param limit: requests allowed per window.
    :param window: the window length in seconds (> 0).
    :param round_trip: seconds one item takes (>= 0).
    :param maximum: the user's cap.
    """
    wanted = math.ceil(limit / window * round_trip * _HEADROOM) + 1
    return max(1, min(maximum, wanted))


def next_concurrency(
    current: int,
    maximum: int,
    new_rate_limited: int,
    reading: RateLimitInfo | None,
    *,
    window: float = 0.0,
    round_trip: float | None = None,
) -> int:
    """Return the concurrency to use next.

    :param current: the concurrency in use.
    :param maximum: the configured ceiling.
    :param new_rate_limited: 429s counted since the last decision.
    :param reading: the last ``RateLimit`` reading, if any.
    :param window: the longest ``reset`` seen (the window length estimate), 0 if unknown.
    :param round_trip: the measured seconds per item, if measured yet.
    """
    if new_rate_limited > 0:
        return max(1, current // 2)
    if reading is None or not reading.limit:
        return min(maximum, current + 1)
    if window > 0 and round_trip is not None:
        return budget_concurrency(reading.limit, window, round_trip, maximum)
    if reading.remaining > reading.limit * _HEALTHY_FRACTION:
        return min(maximum, current + 1)
    return current


class AdaptiveLimiter:
    """The run's concurrency bound; moves with :func:`next_concurrency`.

    Workers of ``bulk/pool.py`` read :attr:`limit`; :meth:`slot` bounds the few calls made
    outside the pool (a release wakes one waiter, never all).

    :param max_concurrency: the ceiling (>= 1).
    :param start: the initial bound (default: ``min(4, max_concurrency)``).
    """

    def __init__(self, max_concurrency: int, *, start: int | None = None) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency}")
        self.maximum = max_concurrency
        self.limit = min(max_concurrency, start or 4)
        self.in_flight = 0
        self.peak = 0
        #: live workers of every pool on this limiter (``bulk/pool.py``), and how each pool
        #: still taking items grows into a place one of them leaves
        self.workers = 0
        self.growers: list[Callable[[], None]] = []
        self.window = 0.0
        self.round_trip: float | None = None
        self._durations: deque[float] = deque(maxlen=_ROUND_TRIP_SAMPLES)
        self._seen_rate_limited = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot while the body runs."""
        if self.in_flight >= self.limit or self._waiters:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter  # the releaser counted us in
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self._release()
                elif waiter in self._waiters:
                    self._waiters.remove(waiter)
                raise
        else:
            self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            yield
        finally:
            self._release()

    def record(self, seconds: float) -> None:
        """Note one item's duration; the round trip is the least of the recent ones.

        The least, not the mean: an item's duration includes its wait for the throttle,
        which grows with the workers, so a mean would feed back into ever more workers.

        :param seconds: how long the item took.
        """
        self._durations.append(seconds)
        self.round_trip = min(self._durations)

    async def feedback(self, rate_limited_total: int, reading: RateLimitInfo | None) -> None:
        """Adjust the bound from the client's 429 counter and its last reading.

        :param rate_limited_total: the client's running count of 429 answers.
        :param reading: the client's last ``RateLimit`` reading.
        """
        new = rate_limited_total - self._seen_rate_limited
        self._seen_rate_limited = rate_limited_total
        reset = getattr(reading, "reset", None)
        if isinstance(reset, int | float):
            self.window = max(self.window, float(reset))
        self.limit = next_concurrency(
            self.limit,
            self.maximum,
            new,
            reading,
            window=self.window,
            round_trip=self.round_trip,
        )
        self._wake()

    def vacated(self) -> None:
        """Let every pool still taking items fill the places workers left."""
        for grow in list(self.growers):
            grow()

    def _release(self) -> None:
        """Give back one slot, handing it to the next waiter if the bound allows."""
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        """Hand free slots to waiters, oldest first (one each)."""
        while self._waiters and self.in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)
