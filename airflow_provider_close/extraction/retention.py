"""The event log's limits that change capture must respect (close-api.md §7, pure).

* Close keeps events for 30 days: an interval starting earlier cannot be read from the log,
  and is refused before any request (use the Export API for history).
* Events may become visible late; Close advises re-scanning the latest 5 minutes. An interval
  is read from the log only once its end is :data:`LATE_EVENTS` in the past.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow_provider_close.extraction.windows import Window

__all__ = ["LATE_EVENTS", "RETENTION", "EventLogRetentionError", "check_retention", "settled_at"]

#: How long Close keeps events.
RETENTION = timedelta(days=30)
#: How late an event may still appear (Close: "scan the latest five minutes of events").
LATE_EVENTS = timedelta(minutes=5)
#: Margin for the run's own duration and clock skew: a start this close to the retention
#: limit is refused too, since the oldest events could expire while the scan runs.
_RETENTION_MARGIN = timedelta(hours=1)


class EventLogRetentionError(ValueError):
    """The interval starts before the oldest events Close still keeps."""


def check_retention(window: Window, now: datetime | None, *, what: str) -> None:
    """Refuse a window the event log can no longer cover completely.

    :param window: the interval to read.
    :param now: the current time (default: the real UTC time).
    :param what: what is being read, for the message.
    :raises EventLogRetentionError: no start, or a start older than the retention (minus a
        one-hour margin) ago.
    """
    current = now or datetime.now(UTC)
    oldest = current - RETENTION + _RETENTION_MARGIN
    if window.start is None or window.start < oldest:
        raise EventLogRetentionError(
            f"{what} for an interval starting {window.start} cannot be read from Close's event "
            f"log, which keeps {RETENTION.days} days (oldest usable start: {oldest:%Y-%m-%d %H:%M} "
            "UTC). Load that history with CloseExportOperator (the Export API) instead."
        )


def settled_at(window: Window) -> datetime | None:
    """Return when the event log is complete for ``window`` (its end + :data:`LATE_EVENTS`).

    :param window: the interval; None when it has no end.
    """
    return window.end + LATE_EVENTS if window.end is not None else None
