"""Which errors end a wait and which are worth another poll (pure).

Fatal: Close refused the request itself (400 invalid filters, 401, 402, 403, 404), the client
is misconfigured, or the input is invalid; polling again cannot help. Transient: 5xx,
transport problems, rate limiting that outlasted the client's own retries, and anything
unknown; retried a bounded number of times.
"""

from __future__ import annotations

from typing import TypedDict

from airflow_provider_close.client import CloseAPIError, CloseConfigError

__all__ = ["ErrorEvent", "error_event", "is_fatal"]


class ErrorEvent(TypedDict):
    """The payload of a trigger's error event (JSON-safe, secret-free).

    :param status: always ``"error"``.
    :param error_type: class name of the original error, e.g. ``CloseAuthError``.
    :param message: the original error's message (Close's client never puts the key in it).
    """

    status: str
    error_type: str
    message: str


def is_fatal(error: BaseException) -> bool:
    """Return whether polling again cannot fix ``error``.

    :param error: what a poll raised.
    """
    if isinstance(error, CloseAPIError):
        status = error.status or 0
        return 400 <= status < 500 and status != 429
    return isinstance(error, CloseConfigError | ValueError)


def error_event(error: BaseException) -> ErrorEvent:
    """Return the error event payload describing ``error``.

    :param error: the error that ended the wait.
    """
    return ErrorEvent(status="error", error_type=type(error).__name__, message=str(error))


class TransientErrors:
    """The consecutive transient errors of one polling loop, and when they end the wait.

    :param limit: consecutive transient errors tolerated; one more ends the wait.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def ending(self, error: BaseException) -> ErrorEvent | None:
        """Count ``error``; return the error event that ends the wait, or ``None`` to poll again.

        :param error: what a poll raised.
        """
        self.count += 1
        if is_fatal(error) or self.count > self.limit:
            return error_event(error)
        return None

    def clear(self) -> None:
        """Forget the errors counted so far (a poll succeeded)."""
        self.count = 0
