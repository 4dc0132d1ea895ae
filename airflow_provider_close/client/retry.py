"""The retry policy and the pure retry decision: "retry after N seconds" or "stop".

Nothing here sleeps. What a failure allows depends on what may have reached Close:

* 429: Close did not apply the request -> retry, any method, for as long as
  ``max_total_wait`` allows (429s do not use up ``max_attempts``).
* connect error (nothing was sent) -> retry, any method.
* 5xx, or a failure after the request may have been sent -> retry only for idempotent
  methods (GET, HEAD, OPTIONS, PUT, DELETE) or a request marked safe; otherwise the outcome is
  unknown and the request is never re-sent.
* any other status -> raise.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import httpx

__all__ = [
    "IDEMPOTENT_METHODS",
    "FailureAction",
    "FailureKind",
    "Jitter",
    "RetryPolicy",
    "backoff_delay",
    "default_jitter",
    "failure_action",
    "failure_kind_for_error",
    "failure_kind_for_status",
    "no_jitter",
    "retry_delay",
]

FailureKind = Literal["rate_limited", "connect_error", "server_error", "sent_error", "fatal"]
FailureAction = Literal["retry", "raise", "unknown_outcome"]
Jitter = Callable[[float], float]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

#: Transport errors raised before any byte of the request left this process.
_NOTHING_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def default_jitter(delay: float) -> float:
    """Return ``delay`` plus 0-5 % and 0-50 ms, so parallel clients do not retry in lockstep.

    :param delay: the un-jittered delay in seconds.
    """
    return delay * (1.0 + random.uniform(0.0, 0.05)) + random.uniform(0.0, 0.05)


def no_jitter(delay: float) -> float:
    """Return ``delay`` unchanged (deterministic tests).

    :param delay: the delay in seconds.
    """
    return delay


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long the client retries.

    :param max_attempts: attempts per request, the first one included (>= 1).
    :param max_total_wait: cap on the seconds slept between attempts of one request.
    :param backoff_base: first backoff delay in seconds (doubles per attempt).
    :param backoff_max: cap on one backoff delay.
    :param jitter: maps a delay to the jittered delay actually slept.
    """

    max_attempts: int = 6
    max_total_wait: float = 300.0
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    jitter: Jitter = field(default=default_jitter, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        if self.max_total_wait < 0 or self.backoff_base < 0 or self.backoff_max < 0:
            raise ValueError("waits must not be negative")


def failure_kind_for_status(status: int) -> FailureKind:
    """Return the failure kind of a non-2xx status.

    :param status: HTTP status code.
    """
    if status == 429:
        return "rate_limited"
    return "server_error" if status >= 500 else "fatal"


def failure_kind_for_error(error: Exception) -> FailureKind:
    """Return the failure kind of an httpx transport error.

    :param error: the exception raised by httpx.
    """
    if isinstance(error, _NOTHING_SENT):
        return "connect_error"
    return "sent_error" if isinstance(error, httpx.TransportError) else "fatal"


def failure_action(kind: FailureKind, method: str, *, retry_safe: bool = False) -> FailureAction:
    """Return what a failure allows: retry, raise, or report an unknown outcome.

    :param kind: the failure kind.
    :param method: HTTP method of the request.
    :param retry_safe: the caller marked the request safe to repeat (e.g. a search POST).
    """
    if kind in ("rate_limited", "connect_error"):
        return "retry"
    if kind == "fatal":
        return "raise"
    if retry_safe or method.upper() in IDEMPOTENT_METHODS:
        return "retry"
    return "unknown_outcome"


def backoff_delay(policy: RetryPolicy, attempt: int) -> float:
    """Return the exponential backoff after failed attempt number ``attempt`` (1-based).

    :param policy: the retry policy.
    :param attempt: how many attempts have been made.
    """
    return float(min(policy.backoff_max, policy.backoff_base * 2 ** max(0, attempt - 1)))


def retry_delay(
    policy: RetryPolicy,
    *,
    attempt: int,
    waited: float,
    server_wait: float | None = None,
    rate_limited: bool = False,
) -> float | None:
    """Return the seconds to sleep before the next attempt, or ``None`` to stop.

    The server's wait wins over local backoff; both are jittered. Stops when the attempts
    are used up or the wait would push the total past ``max_total_wait``. A 429 is waited
    out within ``max_total_wait`` alone: Close applied nothing, so it uses none of the
    ``max_attempts`` meant for errors (tasks sharing a key would otherwise fail rows for
    lack of attempts while the budget is merely busy).

    :param policy: the retry policy.
    :param attempt: for an error, the attempts that failed with an error so far (1-based);
        for a 429, the 429s so far (only the backoff reads it).
    :param waited: seconds already slept for this request.
    :param server_wait: what the server asked for (429), if anything.
    :param rate_limited: the failure is a 429.
    """
    if not rate_limited and attempt >= policy.max_attempts:
        return None
    base = server_wait if server_wait is not None else backoff_delay(policy, attempt)
    delay = max(0.0, policy.jitter(base))
    if waited + delay > policy.max_total_wait:
        return None
    return delay
