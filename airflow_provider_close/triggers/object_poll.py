"""ObjectPollTrigger: the base of the triggers that wait for one Close object to finish.

An export and a bulk edit are both started by a task and then worked on by Close; the task
defers, and the trigger polls the object (``GET /export/{id}/``, ``GET /bulk_action/edit/{id}/``)
until its status says it has ended, yielding exactly one event. Transient errors are retried
up to ``max_transient_errors`` in a row (``watch.error_policy.TransientErrors``); a broken
connection or a fatal API error ends the wait at once. Kwargs are JSON-safe and hold only the
connection id, the object's id and the two polling settings.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.watch.error_policy import TransientErrors, error_event

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["ObjectPollTrigger"]

log = logging.getLogger(__name__)


def _event(payload: Mapping[str, Any]) -> TriggerEvent:
    """Wrap ``payload`` in a TriggerEvent (Airflow's constructor is untyped)."""
    return TriggerEvent(dict(payload))  # type: ignore[no-untyped-call]


class ObjectPollTrigger(BaseTrigger):
    """Poll one Close object until :meth:`outcome` says it has ended; yield that event.

    Subclasses set :attr:`id_kwarg` (the constructor argument, and attribute, holding the
    object's id) and implement :meth:`fetch`, :meth:`outcome` and :meth:`progress`.

    :param close_conn_id: Airflow connection to Close.
    :param poll_interval: seconds between polls.
    :param max_transient_errors: consecutive transient errors tolerated.
    """

    id_kwarg: ClassVar[str]

    def __init__(
        self, *, close_conn_id: str, poll_interval: float, max_transient_errors: int
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's is untyped
        self.close_conn_id = close_conn_id
        self.poll_interval = poll_interval
        self.max_transient_errors = max_transient_errors

    @property
    def object_id(self) -> str:
        """Return the id of the object waited for."""
        return str(getattr(self, self.id_kwarg))

    async def fetch(self, client: AsyncCloseClient) -> Mapping[str, Any]:
        """Return the object as Close reports it now."""
        raise NotImplementedError

    def outcome(self, obj: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """Return the event's payload once ``obj`` has ended, else ``None`` (poll again)."""
        raise NotImplementedError

    def progress(self, obj: Mapping[str, Any]) -> str:
        """Return the line logged while ``obj`` has not ended."""
        raise NotImplementedError

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the import path and the JSON-safe kwargs that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "close_conn_id": self.close_conn_id,
                self.id_kwarg: self.object_id,
                "poll_interval": self.poll_interval,
                "max_transient_errors": self.max_transient_errors,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the object has ended; yield exactly one event."""
        try:
            client = await CloseHook(close_conn_id=self.close_conn_id).get_async_client()
        except Exception as err:  # the connection is broken: polling cannot fix it
            yield _event(error_event(err))
            return
        async with client:
            yield await self._poll_until_ended(client)

    async def _poll_until_ended(self, client: AsyncCloseClient) -> TriggerEvent:
        errors = TransientErrors(self.max_transient_errors)
        while True:
            try:
                obj = await self.fetch(client)
            except Exception as err:
                ending = errors.ending(err)
                if ending is not None:
                    return _event(ending)
                log.warning("Transient error %d/%d: %s", errors.count, errors.limit, err)
            else:
                errors.clear()
                ended = self.outcome(obj)
                if ended is not None:
                    return _event(ended)
                log.info("%s", self.progress(obj))
            await asyncio.sleep(self.poll_interval)
