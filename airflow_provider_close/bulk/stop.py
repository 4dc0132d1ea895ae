"""Stopping a bulk run cleanly: a stop signal, and what the result file says about the stop.

``on_kill`` (Airflow calls it from the task's SIGTERM handler, or any thread) calls
:meth:`StopSignal.request`; the worker pool (``bulk/pool.py``) asks :meth:`StopSignal.result_for`
as it takes each next row, so no new row is started while the rows in flight finish. Rows
never taken get a ``not_attempted`` result, lead creates whose outcome is unknown are not
resolved (that needs the settle window) but reported ``unknown``, and the result file ends
with one :func:`stop_record` line saying where the run stopped. A re-run is idempotent: it
looks every key up first, so rows already written are found and not sent again.

The stop is one-way. A batched run (``bulk/engine.py``) reads no batch after the one it
found the stop at: that batch's rows are ``not_attempted`` (:meth:`StopSignal.unread_batch`)
and the rest of the input is never read (a huge input is not scanned to mark it), so the
stop line says ``rest_of_input_read: false`` and ``rows_not_attempted`` counts only the rows
read; every row from ``first_not_attempted_row`` on that is not in the file was not sent.

No Airflow here; thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from airflow_provider_close.bulk.results import RowResult

__all__ = ["StopSignal", "stop_record", "unknown_result"]


class StopSignal:
    """A one-way flag a bulk run checks before it starts each next row (thread-safe)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None
        #: The lowest row reported ``not_attempted`` (``None``: none yet).
        self.first_not_attempted: int | None = None
        #: Whether the run stopped reading its input before its end (:meth:`unread_batch`).
        self.input_left_unread = False

    def request(self, reason: str) -> None:
        """Ask the run to stop: rows in flight finish, no new row starts.

        :param reason: why (goes to the result file and the task's error).
        """
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def requested(self) -> bool:
        """Whether a stop was asked for."""
        return self._event.is_set()

    def result_for(
        self, row: int, key: str | None, close_id: str | None = None
    ) -> RowResult | None:
        """Return a ``not_attempted`` result when a stop was asked for, else ``None`` (go on).

        :param row: the row's input index.
        :param key: the row's key.
        :param close_id: the Close object the row would have touched, if known.
        """
        if not self._event.is_set():
            return None
        error = f"not attempted: the run stopped before this row was sent ({self.reason})"
        first = self.first_not_attempted
        self.first_not_attempted = row if first is None else min(first, row)
        return RowResult(row=row, key=key, action="not_attempted", close_id=close_id, error=error)

    def unread_batch(self, rows: Iterable[tuple[int, str | None]]) -> list[RowResult]:
        """Return ``not_attempted`` results for a batch read after the stop; read no more.

        :param rows: the batch's ``(row index, key)`` pairs.
        """
        self.input_left_unread = True
        return [r for row, key in rows if (r := self.result_for(row, key)) is not None]


def unknown_result(row: int, key: str | None) -> RowResult:
    """Return the result of a lead create whose outcome the stopped run could not confirm.

    :param row: the row's input index.
    :param key: the row's match key.
    """
    error = (
        "outcome unknown: the create was sent, its response lost, and the run stopped before "
        "a search could confirm it; a re-run finds it by its key before sending again"
    )
    return RowResult(row=row, key=key, action="unknown", close_id=None, error=error)


def stop_record(stop: StopSignal, counts: Mapping[str, int]) -> dict[str, Any]:
    """Return the result file's last line for a stopped run: where it stopped, and why.

    :param stop: the run's (requested) stop signal.
    :param counts: action -> rows in the result file (the running tally, never the rows).
    """
    not_attempted = counts.get("not_attempted", 0)
    unknown = counts.get("unknown", 0)
    return {
        "stopped": True,
        "reason": stop.reason,
        "rows_done": sum(counts.values()) - not_attempted - unknown,
        "rows_not_attempted": not_attempted,
        "rows_unknown": unknown,
        "first_not_attempted_row": stop.first_not_attempted,
        "rest_of_input_read": not stop.input_left_unread,
    }
