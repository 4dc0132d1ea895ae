"""Half-open date windows and the query parameters that list one (no I/O).

A window ``[start, end)`` is listed in ascending ``window_field`` order; the client walks it
by keyset (each page resumes at the last date value read), so no ``_skip`` ever grows with the
window and Close's maximum ``_skip`` is never reached (close-api.md §5, §9b).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from airflow_provider_close.extraction.resources import ResourceSpec

__all__ = [
    "Window",
    "format_moment",
    "parse_moment",
    "to_moment",
    "window_params",
]


@dataclass(frozen=True)
class Window:
    """A half-open interval ``[start, end)``; None means unbounded on that side.

    :param start: inclusive lower bound (aware datetime) or None.
    :param end: exclusive upper bound (aware datetime) or None.
    """

    start: datetime | None
    end: datetime | None

    def __post_init__(self) -> None:
        for bound in (self.start, self.end):
            if bound is not None and bound.tzinfo is None:
                raise ValueError(f"window bounds must be timezone-aware, got {bound!r}")
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"window start {self.start} is after its end {self.end}")

    def contains(self, moment: datetime) -> bool:
        """Return whether ``moment`` lies in ``[start, end)``.

        :param moment: an aware datetime.
        """
        after_start = self.start is None or moment >= self.start
        before_end = self.end is None or moment < self.end
        return after_start and before_end


def parse_moment(value: object) -> datetime:
    """Return the aware UTC datetime of a Close timestamp (naive ones, as events have, are UTC).

    :param value: e.g. ``2022-11-09T13:57:14.751000+00:00`` or ``2023-04-07T10:01:14.670000``.
    :raises ValueError: not an ISO 8601 string.
    """
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 timestamp, got {value!r}")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def to_moment(value: datetime | str) -> datetime:
    """Return an aware UTC datetime from a datetime or an ISO 8601 string (naive means UTC).

    Rendered templates such as ``{{ data_interval_start }}`` arrive as strings.

    :param value: e.g. ``2026-01-01T00:00:00+00:00`` or a pendulum/stdlib datetime.
    :raises ValueError: not a datetime or an ISO 8601 string.
    """
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    return parse_moment(value.strip() if isinstance(value, str) else value)


def format_moment(moment: datetime) -> str:
    """Return ``moment`` as a filter value Close accepts: UTC, microseconds, ``+00:00``.

    :param moment: an aware datetime.
    """
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def window_params(spec: ResourceSpec, window: Window) -> dict[str, str]:
    """Return the query parameters that list ``window`` of ``spec`` in ascending date order.

    :param spec: a windowed resource spec.
    :param window: the window to list.
    :raises ValueError: the resource has no window field.
    """
    if spec.window_field is None:
        raise ValueError(f"{spec.name} has no date filter to window on")
    params = dict(spec.params)
    if spec.pagination == "offset":
        params["_order_by"] = spec.window_field
    if window.start is not None:
        params[f"{spec.window_field}__gte"] = format_moment(window.start)
    if window.end is not None:
        params[f"{spec.window_field}__lt"] = format_moment(window.end)
    return params
