"""The sandbox clock: real UTC time by default, frozen or shifted on demand.

Semantics (chosen so tests are deterministic):

* Fresh (or after :meth:`SandboxClock.reset`): ``now()`` is the real UTC time.
* :meth:`SandboxClock.set` freezes the clock at the given instant; it stays there until
  :meth:`SandboxClock.advance` moves it or :meth:`SandboxClock.reset` releases it.
* :meth:`SandboxClock.advance` on a running (unfrozen) clock shifts it by an offset that keeps
  ticking with real time; on a frozen clock it moves the frozen instant.

Objects created at the same frozen instant get distinct, increasing timestamps from the state
(its concern, not the clock's).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

__all__ = ["SandboxClock"]


class SandboxClock:
    """A thread-safe, controllable UTC clock for the sandbox."""

    def __init__(self) -> None:
        """Create a clock that follows real time."""
        self._lock = threading.Lock()
        self._frozen_at: datetime | None = None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        """Return the current sandbox time as an aware UTC datetime."""
        with self._lock:
            if self._frozen_at is not None:
                return self._frozen_at
            return datetime.now(UTC) + self._offset

    @property
    def frozen(self) -> bool:
        """Return whether the clock is frozen (set to a fixed instant)."""
        with self._lock:
            return self._frozen_at is not None

    def set(self, moment: datetime) -> None:
        """Freeze the clock at ``moment``.

        :param moment: an aware datetime (naive values are taken as UTC).
        """
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        with self._lock:
            self._frozen_at = aware.astimezone(UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, if negative) by ``seconds``.

        :param seconds: how far to move the clock.
        """
        step = timedelta(seconds=seconds)
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += step
            else:
                self._offset += step

    def reset(self) -> None:
        """Go back to following real time, with no offset."""
        with self._lock:
            self._frozen_at = None
            self._offset = timedelta(0)
