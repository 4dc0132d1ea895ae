"""The few places where the supported Airflow versions (3.1 to 3.3) differ.

Everything else imports straight from ``airflow.sdk``.
"""

from __future__ import annotations

from importlib.metadata import version

__all__ = [
    "AIRFLOW_VERSION",
    "DECLARATIVE_CONNECTION_FORM",
    "AirflowFailException",
    "AirflowRescheduleException",
    "AirflowSensorTimeout",
    "TaskDeferred",
    "default_deferrable",
]

try:  # the task exceptions moved into the SDK in 3.2; 3.3 warns on the old path
    from airflow.sdk.exceptions import (
        AirflowFailException,
        AirflowRescheduleException,
        AirflowSensorTimeout,
        TaskDeferred,
    )
except ImportError:  # Airflow 3.1
    from airflow.exceptions import (  # type: ignore[no-redef]
        AirflowFailException,
        AirflowRescheduleException,
        AirflowSensorTimeout,
        TaskDeferred,
    )


def _version_tuple(text: str) -> tuple[int, int]:
    major, minor = text.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


AIRFLOW_VERSION: tuple[int, int] = _version_tuple(version("apache-airflow-core"))

#: 3.2 reads the connection form from the provider info; earlier versions ask the hook.
DECLARATIVE_CONNECTION_FORM: bool = AIRFLOW_VERSION >= (3, 2)


def default_deferrable() -> bool:
    """Return ``[operators] default_deferrable`` (``airflow.sdk.conf`` exists from 3.2 on)."""
    try:
        from airflow.sdk import conf
    except ImportError:  # Airflow 3.1
        from airflow.configuration import conf as core_conf

        return core_conf.getboolean("operators", "default_deferrable", fallback=False)
    return conf.getboolean("operators", "default_deferrable", fallback=False)
