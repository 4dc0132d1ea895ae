"""CloseBulkEditTrigger: waits in the triggerer until a Close bulk edit has finished.

Polls ``GET /bulk_action/edit/{id}/`` until ``status`` is ``done``, ``error`` or ``paused``
(close-api.md §8). Its kwargs are JSON-safe and hold only the connection id and the action id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_close.client.bulk_actions import BULK_ACTION_ENDED, get_bulk_edit_async
from airflow_provider_close.triggers.object_poll import ObjectPollTrigger

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["CloseBulkEditTrigger"]


class CloseBulkEditTrigger(ObjectPollTrigger):
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

    default_poll_interval = 30.0
    kwarg_names = ("bulk_action_id",)

    def __init__(self, *, bulk_action_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bulk_action_id = bulk_action_id

    async def fetch(self, client: AsyncCloseClient) -> Mapping[str, Any]:
        """Return the bulk edit as Close reports it."""
        return await get_bulk_edit_async(client, self.bulk_action_id)

    def outcome(self, obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """Return success on ``done``, an error on ``error``/``paused``, else ``None``."""
        status = obj.get("status")
        if status not in BULK_ACTION_ENDED:
            return None
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

    def progress(self, obj: Mapping[str, Any]) -> str:
        """Return ``Bulk edit <id> is <status> (<processed>/<total> leads)``."""
        return (
            f"Bulk edit {self.bulk_action_id} is {obj.get('status')} "
            f"({obj.get('n_objects_processed')}/{obj.get('n_objects')} leads)"
        )
