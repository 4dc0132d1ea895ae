"""The error a deferred Close sensor raises when its trigger gave up."""

from __future__ import annotations

try:  # the class BaseSensorOperator catches (soft_fail, never_fail) lives here on 3.2+
    from airflow.sdk.exceptions import AirflowException
except ImportError:  # Airflow 3.1
    from airflow.exceptions import AirflowException  # type: ignore[no-redef,attr-defined,unused-ignore]

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
