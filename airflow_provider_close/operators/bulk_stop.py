"""Stopping a bulk run cleanly: the stop signal ``on_kill`` raises and the stop line it ends with.

Airflow calls ``on_kill`` (from the task's SIGTERM handler) when a task is killed. A bulk
run's pool then starts no new row, rows in flight finish, and lost creates are left
``unknown``; the result file ends with a ``{"stopped": true, ...}`` line saying where the run
stopped, and the task fails. A re-run resumes idempotently (see ``bulk/stop.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.operators._base import CloseBaseOperator

if TYPE_CHECKING:
    from airflow_provider_close.bulk.results import ResultFile
    from airflow_provider_close.bulk.stop import StopSignal

__all__: list[str] = []


class _CloseStoppableOperator(CloseBaseOperator):
    """A Close operator whose ``execute`` runs a bulk run that ``on_kill`` can stop."""

    def _stop_signal(self) -> StopSignal:
        """Return this execution's stop signal (created here, never in ``__init__``)."""
        from airflow_provider_close.bulk.stop import StopSignal

        stop = self.__dict__["_close_stop"] = StopSignal()
        return stop

    def _requested_stop(self) -> StopSignal | None:
        """Return this execution's stop signal, if ``execute`` made one."""
        from airflow_provider_close.bulk.stop import StopSignal

        stop = self.__dict__.get("_close_stop")
        return stop if isinstance(stop, StopSignal) else None

    def on_kill(self) -> None:
        """Stop the bulk run cleanly: rows in flight finish, no new row is sent.

        Called by Airflow (from the task's SIGTERM handler) when the task is killed. The run
        then ends its result file (``not_attempted`` rows, lead creates left ``unknown``,
        a last ``{"stopped": true, ...}`` line) and the task fails; a re-run resumes
        idempotently (every key is looked up before anything is sent).
        """
        stop = self._requested_stop()
        if stop is not None:
            self.log.warning("Stop requested: rows in flight finish, no new row is sent")
            stop.request("task killed (on_kill)")

    def _fail_if_stopped(self, results: ResultFile) -> None:
        """After a stop: end the result file with the stop line and fail the task."""
        from airflow_provider_close.bulk.stop import stop_record

        stop = self._requested_stop()
        if stop is None or not stop.requested:
            return
        record = stop_record(stop, results.tally.counts)
        results.close_with(record)
        raise AirflowException(
            f"bulk run stopped ({stop.reason}): {record['rows_done']} rows done, "
            f"{record['rows_not_attempted']} not attempted, {record['rows_unknown']} "
            f"unknown; see {results.path}"
        )
