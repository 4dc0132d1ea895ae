"""CloseBulkEditTrigger: waits in the triggerer until a Close bulk edit has finished.

Polls ``GET /bulk_action/edit/{id}/`` until ``status`` is ``done``, ``error`` or ``paused``
(close-api.md §8). Its kwargs are JSON-safe and hold only the connection id and the action id.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_close.client import AsyncCloseClient
from airflow_provider_close.client.bulk_actions import BULK_ACTION_ENDED, get_bulk_edit_async
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.watch.error_policy import TransientErrors, error_event

__all__ = ["CloseBulkEditTrigger"]

log = logging.getLogger(__name__)


def _event(payload: dict[str, Any]) -> TriggerEvent:
    """Wrap ``payload`` in a TriggerEvent (Airflow's constructor is untyped)."""
    return TriggerEvent(payload)  # type: ignore[no-untyped-call]


class CloseBulkEditTrigger(BaseTrigger):
    """Poll a Close bulk edit until it stops.

    Yields ``{"status": "success", "bulk_action_id", "bulk_status": "done"}`` when Close says
    ``done``; ``{"status": "error", "error_type": "bulk_action", "bulk_status", "message"}``
    when it says ``error`` or ``paused``; ``{"status": "error", "error_type", "message"}`` on a
    fatal API error or after more than ``max_transient_errors`` consecutive transient ones.

    :param close_conn_id: Airflow connection to Close.
    :param bulk_action_id: the ``bulkedit_…`` id to wait for.
    :param poll_interval: seconds between polls.
    :param max_transient_errors: consecutive transient errors tolerated.
    """

    def __init__(
        self,
        *,
        close_conn_id: str,
        bulk_action_id: str,
        poll_interval: float = 30.0,
        max_transient_errors: int = 5,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's is untyped
        self.close_conn_id = close_conn_id
        self.bulk_action_id = bulk_action_id
        self.poll_interval = poll_interval
        self.max_transient_errors = max_transient_errors

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the import path and the JSON-safe kwargs that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "close_conn_id": self.close_conn_id,
                "bulk_action_id": self.bulk_action_id,
                "poll_interval": self.poll_interval,
                "max_transient_errors": self.max_transient_errors,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the bulk edit has stopped; yield exactly one event."""
        try:
            client = await CloseHook(close_conn_id=self.close_conn_id).get_async_client()
        except Exception as err:  # the connection is broken: polling cannot fix it
            yield _event(dict(error_event(err)))
            return
        async with client:
            yield await self._poll_until_stopped(client)

    async def _poll_until_stopped(self, client: AsyncCloseClient) -> TriggerEvent:
        errors = TransientErrors(self.max_transient_errors)
        while True:
            try:
                action = await get_bulk_edit_async(client, self.bulk_action_id)
            except Exception as err:
                ending = errors.ending(err)
                if ending is not None:
                    return _event(dict(ending))
                log.warning("Transient error %d/%d: %s", errors.count, errors.limit, err)
            else:
                errors.clear()
                status = action.get("status")
                if status in BULK_ACTION_ENDED:
                    return _event(self._ended(str(status)))
                log.info(
                    "Bulk edit %s is %s (%s/%s leads)",
                    self.bulk_action_id,
                    status,
                    action.get("n_objects_processed"),
                    action.get("n_objects"),
                )
            await asyncio.sleep(self.poll_interval)

    def _ended(self, status: str) -> dict[str, Any]:
        if status == "done":
            return {
                "status": "success",
                "bulk_action_id": self.bulk_action_id,
                "bulk_status": status,
            }
        return {
            "status": "error",
            "error_type": "bulk_action",
            "bulk_action_id": self.bulk_action_id,
            "bulk_status": status,
            "message": f"Close reports bulk edit {self.bulk_action_id} {status}",
        }
