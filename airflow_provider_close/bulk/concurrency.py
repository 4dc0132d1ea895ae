"""Adaptive concurrency for bulk runs: grow while the budget is healthy, halve on 429.

Two mechanisms cooperate. The client's throttle (``client/throttle.py``) spaces every request
from the live ``RateLimit`` reading of its endpoint group, counting the requests in flight, so
that ``remaining`` never hits zero: that is where sends are paced (a second pacer here, on a
coarser view of the budget, measurably lost throughput). :class:`AdaptiveLimiter` bounds how
many rows are in flight: additive increase while ``remaining`` is above half the limit,
multiplicative decrease whenever new 429s were counted, never above ``max_concurrency``.
:func:`next_concurrency` is the pure decision.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

__all__ = ["AdaptiveLimiter", "BudgetReading", "next_concurrency"]

_HEALTHY_FRACTION = 0.5


class BudgetReading(Protocol):
    """The part of a ``RateLimitInfo`` the limiter reads."""

    @property
    def limit(self) -> int | None: ...

    @property
    def remaining(self) -> int: ...


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
    """Bounds in-flight work; the bound moves with :func:`next_concurrency`.

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
        self._seen_rate_limited = 0
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot while the body runs."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.in_flight < self.limit)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            yield
        finally:
            async with self._changed:
                self.in_flight -= 1
                self._changed.notify_all()

    async def feedback(self, rate_limited_total: int, reading: BudgetReading | None) -> None:
        """Adjust the bound from the client's 429 counter and its last reading.

        :param rate_limited_total: the client's running count of 429 answers.
        :param reading: the client's last ``RateLimit`` reading.
        """
        new = rate_limited_total - self._seen_rate_limited
        self._seen_rate_limited = rate_limited_total
        async with self._changed:
            self.limit = next_concurrency(self.limit, self.maximum, new, reading)
            self._changed.notify_all()
