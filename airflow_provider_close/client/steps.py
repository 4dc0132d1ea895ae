"""The values the attempt machine exchanges with the clients' loops (no logic here)."""

from __future__ import annotations

from dataclasses import dataclass, field

from airflow_provider_close.client.errors import CloseError, JSONObject

__all__ = ["ClientStats", "Done", "Raise", "RequestSpec", "Send", "Step", "Wait"]


@dataclass(frozen=True)
class RequestSpec:
    """Everything needed to build the request, already encoded.

    :param method: upper-case HTTP method.
    :param path: normalized path relative to the base URL.
    :param params: encoded query parameters.
    :param content: encoded JSON body, if any.
    :param retry_safe: repeating the request is safe even if it is not idempotent.
    """

    method: str
    path: str
    params: dict[str, str] | None = None
    content: bytes | None = None
    retry_safe: bool = False


@dataclass
class ClientStats:
    """Counters of one client, for progress logs and benchmarks.

    :param requests: HTTP attempts that got a response or a transport error.
    :param retries: attempts repeated after a failure.
    :param rate_limited: 429 responses seen.
    :param throttled: requests delayed proactively before ``remaining`` reached zero.
    :param waited_seconds: total seconds slept (retries and throttling).
    """

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    throttled: int = 0
    waited_seconds: float = 0.0


@dataclass(frozen=True)
class Send:
    """Send (or re-send) the request."""


@dataclass(frozen=True)
class Wait:
    """Sleep ``seconds``, then call :meth:`Attempt.resume`.

    :param seconds: how long to sleep.
    :param reason: why, for logs.
    """

    seconds: float
    reason: str


@dataclass(frozen=True)
class Done:
    """The request succeeded.

    :param result: the decoded JSON object (``{}`` for an empty body).
    """

    result: JSONObject


@dataclass(frozen=True)
class Raise:
    """The request failed for good.

    :param error: the error to raise.
    :param cause: the exception to chain as ``__cause__``.
    """

    error: CloseError
    cause: BaseException | None = field(default=None, compare=False)


Step = Send | Wait | Done | Raise
