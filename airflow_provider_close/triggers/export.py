"""CloseExportTrigger: waits in the triggerer until a Close export is finished.

Polls ``GET /export/{id}/`` until ``status`` is ``done`` or ``error`` (close-api.md §8). Its
kwargs are JSON-safe and hold only the connection id and the export id; the event carries
no ``download_url`` (a pre-signed URL is a capability), the operator reads it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.watch.error_policy import TransientErrors, error_event

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["CloseExportTrigger"]

log = logging.getLogger(__name__)


def _event(payload: dict[str, Any]) -> TriggerEvent:
    """Wrap ``payload`` in a TriggerEvent (Airflow's constructor is untyped)."""
    return TriggerEvent(payload)  # type: ignore[no-untyped-call]


class CloseExportTrigger(BaseTrigger):
    """Poll a Close export until it is done.

    Yields ``{"status": "success", "export_id"}`` when Close says ``done``;
    ``{"status": "error", "error_type", "message"}`` when it says ``error``, on a fatal API
    error, or after more than ``max_transient_errors`` consecutive transient ones.

    :param close_conn_id: Airflow connection to Close.
    :param export_id: the export to wait for.
    :param poll_interval: seconds between polls.
    :param max_transient_errors: consecutive transient errors tolerated.
    """

    def __init__(
        self,
        *,
        close_conn_id: str,
        export_id: str,
        poll_interval: float = 30.0,
        max_transient_errors: int = 5,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's is untyped
        self.close_conn_id = close_conn_id
        self.export_id = export_id
        self.poll_interval = poll_interval
        self.max_transient_errors = max_transient_errors

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the import path and the JSON-safe kwargs that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "close_conn_id": self.close_conn_id,
                "export_id": self.export_id,
                "poll_interval": self.poll_interval,
                "max_transient_errors": self.max_transient_errors,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the export is done or failed; yield exactly one event."""
        try:
            client = await CloseHook(close_conn_id=self.close_conn_id).get_async_client()
        except Exception as err:  # the connection is broken: polling cannot fix it
            yield _event(dict(error_event(err)))
            return
        async with client:
            yield await self._poll_until_done(client)

    async def _poll_until_done(self, client: AsyncCloseClient) -> TriggerEvent:
        errors = TransientErrors(self.max_transient_errors)
        while True:
            try:
                export = await client.get(f"export/{self.export_id}/", fields=["id", "status"])
            except Exception as err:
                ending = errors.ending(err)
                if ending is not None:
                    return _event(dict(ending))
                log.warning("Transient error %d/%d: %s", errors.count, errors.limit, err)
            else:
                errors.clear()
                status = export.get("status")
                if status == "done":
                    return _event({"status": "success", "export_id": self.export_id})
                if status == "error":
                    message = f"Close reports export {self.export_id} failed"
                    return _event({"status": "error", "error_type": "export", "message": message})
                log.info("Export %s is %s", self.export_id, status)
            await asyncio.sleep(self.poll_interval)
