"""The settle window's clock in tests: the sandbox clock, whose "sleep" advances it.

So the operators' and the bulk engine's waits and the sandbox's search lag run on one clock,
and no test sleeps for real.
"""

from __future__ import annotations

from datetime import datetime

from airflow_provider_close.sandbox import CloseSandbox


class SandboxSettleClock:
    """A ``idempotency.rule.Clock`` reading and advancing ``sandbox.clock``.

    :param sandbox: the sandbox whose clock it drives.
    """

    def __init__(self, sandbox: CloseSandbox) -> None:
        self._clock = sandbox.clock
        #: Every wait asked for, in seconds, in order.
        self.slept: list[float] = []

    def now(self) -> datetime:
        """Return the sandbox's now."""
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        """Advance the sandbox clock by ``seconds`` instead of waiting."""
        self.slept.append(seconds)
        self._clock.advance(seconds)

    async def asleep(self, seconds: float) -> None:
        """Advance the sandbox clock by ``seconds`` instead of waiting."""
        self.sleep(seconds)
