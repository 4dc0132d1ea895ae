"""Progress of a bulk run: done/total, rate, ETA and 429s, logged every few seconds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Progress", "progress_line"]

logger = logging.getLogger("airflow_provider_close.bulk")


def progress_line(done: int, total: int | None, elapsed: float, rate_limited: int) -> str:
    """Return one human progress line.

    :param done: rows finished.
    :param total: rows in the run (``None`` when the input streams and its size is unknown).
    :param elapsed: seconds since the start.
    :param rate_limited: 429 answers seen so far.
    """
    rate = done / elapsed if elapsed > 0 else 0.0
    if total is None:
        return f"{done} rows, {rate:.1f} rows/s, {rate_limited} rate-limited (429) so far"
    remaining = total - done
    eta = f"{remaining / rate:.0f}s" if rate > 0 else "?"
    percent = 100.0 * done / total if total else 100.0
    return (
        f"{done}/{total} rows ({percent:.0f}%), {rate:.1f} rows/s, ETA {eta}, "
        f"{rate_limited} rate-limited (429) so far"
    )


@dataclass
class Progress:
    """Counts finished rows and logs a line at most every ``interval`` seconds.

    :param total: rows in the run (``None``: unknown, the input streams).
    :param interval: seconds between two log lines.
    :param clock: a monotonic clock (injectable for tests).
    """

    total: int | None
    interval: float = 5.0
    clock: Callable[[], float] = time.monotonic
    done: int = 0
    rate_limited: int = 0
    lines: list[str] = field(default_factory=list)
    _started: float | None = None
    _last_log: float = 0.0

    def start(self) -> None:
        """Start the clock."""
        self._started = self._last_log = self.clock()

    @property
    def elapsed(self) -> float:
        """Seconds since :meth:`start`."""
        return 0.0 if self._started is None else self.clock() - self._started

    def advance(self, rows: int = 1) -> None:
        """Record finished rows; log when the interval has passed.

        :param rows: how many rows just finished.
        """
        self.done += rows
        if self.clock() - self._last_log >= self.interval:
            self.log()

    def log(self) -> None:
        """Log the current progress line now."""
        self._last_log = self.clock()
        line = progress_line(self.done, self.total, self.elapsed, self.rate_limited)
        self.lines.append(line)
        logger.info("%s", line)
