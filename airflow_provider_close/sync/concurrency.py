"""Rate-aware concurrency for bulk runs: pace sends to the live budget, halve on 429.

:class:`AdaptiveLimiter` does two things from the client's live ``RateLimit`` readings:

* **pacing** (:func:`send_delay`): the budget left (``remaining`` minus the sends started
  after the request that brought the reading) is spread over the time left in the window
  (``reset``), so sends run at the rate the window allows: fast while ``remaining`` is high,
  never into a 429 at the window's end;
* **concurrency** (:func:`next_concurrency`): additive increase while ``remaining`` is above
  half the limit, multiplicative decrease whenever new 429s were counted, never above
  ``max_concurrency``.

The client's own throttle (``client/throttle.py``) still applies to each request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

__all__ = ["AdaptiveLimiter", "BudgetReading", "Observation", "next_concurrency", "send_delay"]

_HEALTHY_FRACTION = 0.5


class BudgetReading(Protocol):
    """The part of a ``RateLimitInfo`` the limiter reads."""

    @property
    def limit(self) -> int | None: ...

    @property
    def remaining(self) -> int: ...

    @property
    def reset(self) -> float: ...


@dataclass(frozen=True)
class Observation:
    """A reading and when (and after which send) it was seen.

    :param reading: the ``RateLimit`` reading.
    :param seen_at: monotonic time it was seen.
    :param seq: the send sequence number of the work that brought it.
    """

    reading: BudgetReading
    seen_at: float
    seq: int


def send_delay(now: float, last_send: float, seen: Observation | None, started: int) -> float:
    """Return the seconds to wait before the next send so the window's budget lasts.

    :param now: monotonic time.
    :param last_send: monotonic time of the previous send.
    :param seen: the last observation, if any.
    :param started: sends started so far (sequence number of the latest).
    """
    if seen is None:
        return 0.0
    window_end = seen.seen_at + seen.reading.reset
    if now >= window_end:
        return 0.0  # a fresh window: its budget is unknown until the next reading
    budget = seen.reading.remaining - (started - seen.seq)
    if budget <= 0:
        return window_end - now
    return max(0.0, last_send + (window_end - last_send) / budget - now)


def next_concurrency(
    current: int, maximum: int, new_rate_limited: int, reading: BudgetReading | None
) -> int:
    """Return the concurrency to use next.

    :param current: the concurrency in use.
    :param maximum: the configured ceiling.
    :param new_rate_limited: 429s counted since the last decision.
    :param reading: the last ``RateLimit`` reading, if any.
    """
    if new_rate_limited > 0:
        return max(1, current // 2)
    if reading is None or not reading.limit:
        return min(maximum, current + 1)
    if reading.remaining > reading.limit * _HEALTHY_FRACTION:
        return min(maximum, current + 1)
    return current


class AdaptiveLimiter:
    """Bounds and paces in-flight work from the client's rate readings.

    :param max_concurrency: the ceiling (>= 1).
    :param start: the initial bound (default: ``min(4, max_concurrency)``).
    :param clock: a monotonic clock (injectable for tests).
    """

    def __init__(
        self,
        max_concurrency: int,
        *,
        start: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency}")
        self.maximum = max_concurrency
        self.limit = min(max_concurrency, start or 4)
        self.in_flight = 0
        self.peak = 0
        self._clock = clock
        self._started = 0
        self._last_send = 0.0
        self._seen: Observation | None = None
        self._seen_rate_limited = 0
        self._changed = asyncio.Condition()
        self._gate = asyncio.Lock()

    async def _wait_for_pace(self) -> None:
        while (delay := send_delay(self._clock(), self._last_send, self._seen, self._started)) > 0:
            await asyncio.sleep(delay)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[int]:
        """Hold one slot while the body runs; yields the send's sequence number."""
        async with self._gate:
            async with self._changed:
                await self._changed.wait_for(lambda: self.in_flight < self.limit)
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
            await self._wait_for_pace()
            self._started += 1
            self._last_send = self._clock()
            seq = self._started
        try:
            yield seq
        finally:
            async with self._changed:
                self.in_flight -= 1
                self._changed.notify_all()

    async def feedback(
        self, seq: int, rate_limited_total: int, reading: BudgetReading | None
    ) -> None:
        """Record the client's latest reading and 429 count after work ``seq`` finished.

        :param seq: the sequence number the slot yielded.
        :param rate_limited_total: the client's running count of 429 answers.
        :param reading: the client's last ``RateLimit`` reading.
        """
        new = rate_limited_total - self._seen_rate_limited
        self._seen_rate_limited = rate_limited_total
        if reading is not None and (self._seen is None or reading is not self._seen.reading):
            self._seen = Observation(reading, self._clock(), seq)
        async with self._changed:
            self.limit = next_concurrency(self.limit, self.maximum, new, reading)
            self._changed.notify_all()
