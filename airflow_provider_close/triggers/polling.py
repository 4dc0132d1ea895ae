"""PollingTrigger: the base of the triggers that poll Close until a condition holds.

Every waiting trigger of this package (export, bulk edit, new activities, events) does the
same around its own poll: check its kwargs, connect through the hook, poll every
``poll_interval`` seconds, retry transient errors up to ``max_transient_errors`` in a row
(``watch.error_policy.TransientErrors``), and yield exactly one event. A broken connection,
bad kwargs or a fatal API error end the wait at once with an error event. Subclasses keep
their own poll, outcome and progress line; their kwargs stay JSON-safe and secret-free (the
API key stays in the connection).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.watch.error_policy import TransientErrors, error_event

if TYPE_CHECKING:
    from airflow_provider_close.client import AsyncCloseClient

__all__ = ["Poll", "PollingTrigger"]

log = logging.getLogger(__name__)

#: What one poll returns: the subclass's view of Close at this moment.
Polled = TypeVar("Polled")
#: One poll of a running wait (it may keep state between polls, e.g. a watermark).
Poll = Callable[["AsyncCloseClient"], Awaitable[Polled]]


def _event(payload: Mapping[str, Any]) -> TriggerEvent:
    """Wrap ``payload`` in a TriggerEvent (Airflow's constructor is untyped)."""
    return TriggerEvent(dict(payload))  # type: ignore[no-untyped-call]


class PollingTrigger(BaseTrigger, Generic[Polled]):
    """Poll until :meth:`outcome` returns an event payload; yield that one event.

    Subclasses list their own kwargs in :attr:`kwarg_names` (set as attributes of the same
    names by their constructor, which passes the three below on as ``**kwargs``) and
    implement :meth:`start`, :meth:`outcome` and :meth:`progress`.

    :param close_conn_id: Airflow connection to Close.
    :param poll_interval: seconds between polls (default :attr:`default_poll_interval`).
    :param max_transient_errors: consecutive transient errors tolerated (default 5).
    """

    #: The subclass's own constructor kwargs, serialized from the attributes of those names.
    kwarg_names: ClassVar[tuple[str, ...]] = ()
    #: ``poll_interval`` when none is given.
    default_poll_interval: ClassVar[float] = 60.0

    def __init__(
        self,
        *,
        close_conn_id: str,
        poll_interval: float | None = None,
        max_transient_errors: int = 5,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]  # Airflow's is untyped
        self.close_conn_id = close_conn_id
        self.poll_interval = self.default_poll_interval if poll_interval is None else poll_interval
        self.max_transient_errors = max_transient_errors

    def start(self) -> Poll[Polled]:
        """Return this wait's poll (raise ``ValueError`` on bad kwargs: no request is sent)."""
        raise NotImplementedError

    def outcome(self, polled: Polled) -> Mapping[str, Any] | None:
        """Return the event's payload once ``polled`` ends the wait, else ``None``."""
        raise NotImplementedError

    def progress(self, polled: Polled) -> str:
        """Return the line logged while ``polled`` does not end the wait."""
        raise NotImplementedError

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Return the import path and the JSON-safe kwargs that rebuild this trigger."""
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "close_conn_id": self.close_conn_id,
                **{name: getattr(self, name) for name in self.kwarg_names},
                "poll_interval": self.poll_interval,
                "max_transient_errors": self.max_transient_errors,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll until the wait ends; yield exactly one event."""
        try:
            poll = self.start()
            client = await CloseHook(close_conn_id=self.close_conn_id).get_async_client()
        except Exception as err:  # bad kwargs or a broken connection: polling cannot fix it
            yield _event(error_event(err))
            return
        async with client:
            yield await self._poll_until_ended(client, poll)

    async def _poll_until_ended(self, client: AsyncCloseClient, poll: Poll[Polled]) -> TriggerEvent:
        errors = TransientErrors(self.max_transient_errors)
        while True:
            try:
                polled = await poll(client)
            except Exception as err:
                ending = errors.ending(err)
                if ending is not None:
                    return _event(ending)
                log.warning("Transient error %d/%d: %s", errors.count, errors.limit, err)
            else:
                errors.clear()
                ended = self.outcome(polled)
                if ended is not None:
                    return _event(ended)
                log.info("%s", self.progress(polled))
            await asyncio.sleep(self.poll_interval)
