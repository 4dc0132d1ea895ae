"""ObjectPollTrigger: the base of the triggers that wait for one Close object to finish.

An export and a bulk edit are both started by a task and then worked on by Close; the task
defers, and the trigger polls the object (``GET /export/{id}/``, ``GET /bulk_action/edit/{id}/``)
until its status says it has ended, yielding exactly one event (the connect, poll and
transient-error loop is :class:`~airflow_provider_close.triggers.polling.PollingTrigger`'s).
Kwargs are JSON-safe and hold only the connection id, the object's id and the two polling
settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_close.triggers.polling import Poll, PollingTrigger

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["ObjectPollTrigger"]


class ObjectPollTrigger(PollingTrigger[Mapping[str, Any]]):
    """Poll one Close object until :meth:`outcome` says it has ended; yield that event.

    Subclasses name the constructor argument (and attribute) holding the object's id in
    :attr:`kwarg_names` and implement :meth:`fetch`, :meth:`outcome` and :meth:`progress`.

    :param close_conn_id: Airflow connection to Close.
    :param poll_interval: seconds between polls.
    :param max_transient_errors: consecutive transient errors tolerated.
    """

    async def fetch(self, client: AsyncCloseClient) -> Mapping[str, Any]:
        """Return the object as Close reports it now."""
        raise NotImplementedError

    def start(self) -> Poll[Mapping[str, Any]]:
        """Return :meth:`fetch`: each poll reads the object again."""
        return self.fetch
