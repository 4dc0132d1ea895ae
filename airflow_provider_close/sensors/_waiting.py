"""CloseWaitingSensor: the poke-or-defer plumbing the Close sensors share.

A Close sensor counts something in a date window (by default the run's data interval) with
the sync client in ``poke``; ``deferrable=True`` pokes once and, if not yet satisfied, hands
the wait to its trigger, whose event ``execute_complete`` turns into the XCom result or a
:class:`~airflow_provider_close.sensors.errors.CloseSensorError`. Subclasses keep their own
filters, ``poke`` and trigger.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator, Context, PokeReturnValue

from airflow_provider_close._compat import default_deferrable
from airflow_provider_close.hooks.close import CloseHook

if TYPE_CHECKING:
    from airflow.triggers.base import BaseTrigger

__all__ = ["CloseWaitingSensor"]


class CloseWaitingSensor(BaseSensorOperator):
    """Base of the Close sensors: the hook, the run's window, poke-then-defer, the result.

    :param min_count: how many matching objects satisfy the sensor.
    :param max_items: most ids or summaries pushed to XCom.
    :param close_conn_id: Airflow connection to Close (templated in the subclasses).
    :param max_transient_errors: consecutive transient errors the trigger tolerates.
    :param deferrable: wait in the triggerer instead of a worker slot (default:
        ``[operators] default_deferrable``).
    """

    def __init__(
        self,
        *,
        min_count: int = 1,
        max_items: int = 100,
        close_conn_id: str = CloseHook.default_conn_name,
        max_transient_errors: int = 5,
        deferrable: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.min_count = min_count
        self.max_items = max_items
        self.close_conn_id = close_conn_id
        self.max_transient_errors = max_transient_errors
        self.deferrable = default_deferrable() if deferrable is None else deferrable

    @cached_property
    def hook(self) -> CloseHook:
        """The Close hook (built on first use; no I/O before)."""
        return CloseHook(close_conn_id=self.close_conn_id)

    @staticmethod
    def run_window(
        context: Context,
        start: datetime | str | None,
        end: datetime | str | None,
        *,
        open_ended: bool,
        no_start: str,
    ) -> tuple[datetime, datetime | None]:
        """Return ``(start, end)`` of this run: the given bounds, else the data interval.

        :param context: the task context (for the data interval defaults).
        :param start: the lower bound given, or None for ``data_interval_start``.
        :param end: the exclusive upper bound given, or None for ``data_interval_end``
            (none at all when ``open_ended``).
        :param open_ended: ignore ``data_interval_end``.
        :param no_start: the error message when there is no lower bound at all.
        :raises ValueError: no ``start`` and no data interval (``no_start``).
        """
        from airflow_provider_close.client.timestamps import to_moment

        lower = start or context.get("data_interval_start")
        if not lower:
            raise ValueError(no_start)
        upper = end or (None if open_ended else context.get("data_interval_end"))
        return to_moment(lower), to_moment(upper) if upper else None

    def poked(self, result: Mapping[str, Any], what: str) -> PokeReturnValue:
        """Log ``<count> of <min_count> matching <what>``; return the poke's verdict.

        :param result: the shared predicate's verdict (``count``, ``satisfied``...).
        :param what: the plural noun counted, e.g. ``"events"``.
        """
        self.log.info("%d of %d matching %s", result["count"], self.min_count, what)
        return PokeReturnValue(is_done=bool(result["satisfied"]), xcom_value=dict(result))

    def poke(self, context: Context) -> PokeReturnValue:
        """Count once with the sync client; return the verdict (see :meth:`poked`)."""
        raise NotImplementedError

    def trigger_for(self, context: Context) -> BaseTrigger:
        """Return the trigger that carries on the wait (secret-free kwargs)."""
        raise NotImplementedError

    def execute(self, context: Context) -> Any:
        """Poke/reschedule as usual, or poke once and defer to :meth:`trigger_for`."""
        if not self.deferrable:
            return super().execute(context)
        first = self.poke(context)
        if first.is_done:
            return first.xcom_value
        self.defer(
            trigger=self.trigger_for(context),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout),
        )
        return None  # pragma: no cover - defer() always raises TaskDeferred

    def execute_complete(
        self,
        context: Context,  # noqa: ARG002  (Airflow passes it)
        event: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Return the trigger's result (pushed to XCom) or raise :class:`CloseSensorError`.

        :param context: the task context.
        :param event: the trigger's event payload.
        """
        from airflow_provider_close.sensors.errors import trigger_result

        return trigger_result(event)
