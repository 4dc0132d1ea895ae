"""The error a deferred Close sensor raises when its trigger gave up."""

from __future__ import annotations

from airflow.sdk.exceptions import AirflowException

__all__ = ["CloseSensorError"]


class CloseSensorError(AirflowException):
    """The trigger ended with an error; branch on :attr:`error_type`, not on the message.

    :param error_type: class name of the original error, e.g. ``CloseAuthError``.
    :param message: the original, secret-free message.
    """

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"Close sensor failed with {error_type}: {message}")
        self.error_type = error_type
        self.original_message = message
