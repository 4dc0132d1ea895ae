"""CloseExportTrigger: waits in the triggerer until a Close export is finished.

Polls ``GET /export/{id}/`` until ``status`` is ``done`` or ``error`` (close-api.md §8). Its
kwargs are JSON-safe and hold only the connection id and the export id; the event carries
no ``download_url`` (a pre-signed URL is a capability), the operator reads it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_close.triggers.object_poll import ObjectPollTrigger

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["CloseExportTrigger"]


class CloseExportTrigger(ObjectPollTrigger):
    """Poll a Close export until it is done.

    Yields ``{"status": "success", "export_id"}`` when Close says ``done``;
    ``{"status": "error", "error_type", "message"}`` when it says ``error``, on a fatal API
    error, or after more than ``max_transient_errors`` consecutive transient ones.

    :param close_conn_id: Airflow connection to Close.
    :param export_id: the export to wait for.
    :param poll_interval: seconds between polls.
    :param max_transient_errors: consecutive transient errors tolerated.
    """

    default_poll_interval = 30.0
    kwarg_names = ("export_id",)

    def __init__(self, *, export_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.export_id = export_id

    async def fetch(self, client: AsyncCloseClient) -> Mapping[str, Any]:
        """Return the export's id and status."""
        export: Mapping[str, Any] = await client.get(
            f"export/{self.export_id}/", fields=["id", "status"]
        )
        return export

    def outcome(self, obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """Return success on ``done``, an error on ``error``, else ``None``."""
        status = obj.get("status")
        if status == "done":
            return {"status": "success", "export_id": self.export_id}
        if status == "error":
            message = f"Close reports export {self.export_id} failed"
            return {"status": "error", "error_type": "export", "message": message}
        return None

    def progress(self, obj: Mapping[str, Any]) -> str:
        """Return ``Export <id> is <status>``."""
        return f"Export {self.export_id} is {obj.get('status')}"
