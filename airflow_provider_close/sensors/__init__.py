"""Close sensors: :class:`CloseNewActivitySensor` (poke, reschedule or deferrable)."""

from __future__ import annotations

from airflow_provider_close.sensors.errors import CloseSensorError
from airflow_provider_close.sensors.new_activity import CloseNewActivitySensor

__all__ = ["CloseNewActivitySensor", "CloseSensorError"]
