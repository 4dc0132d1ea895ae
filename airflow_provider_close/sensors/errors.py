"""The error a deferred Close sensor raises when its trigger gave up."""

from __future__ import annotations

from typing import Any

try:  # the class BaseSensorOperator catches (soft_fail, never_fail) lives here on 3.2+
    from airflow.sdk.exceptions import AirflowException
except ImportError:  # Airflow 3.1
    from airflow.exceptions import AirflowException  # type: ignore[no-redef,attr-defined,unused-ignore]

__all__ = ["CloseSensorError", "trigger_result"]


class CloseSensorError(AirflowException):
    """The trigger ended with an error; branch on :attr:`error_type`, not on the message.

    :param error_type: class name of the original error, e.g. ``CloseAuthError``.
    :param message: the original, secret-free message.
    """

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"Close sensor failed with {error_type}: {message}")
        self.error_type = error_type
        self.original_message = message


def trigger_result(event: dict[str, Any] | None) -> dict[str, Any]:
    """Return a deferred sensor's result from its trigger's event (``status`` dropped).

    :param event: the trigger's payload: ``{"status": "success", ...}`` or an error event.
    :raises CloseSensorError: the trigger reported an error, or sent nothing.
    """
    if not event or event.get("status") != "success":
        event = event or {}
        raise CloseSensorError(
            str(event.get("error_type", "UnknownError")),
            str(event.get("message", "the trigger ended without an event")),
        )
    return {key: value for key, value in event.items() if key != "status"}
