"""Half-open date windows and the query parameters that list one (no I/O).

A window ``[start, end)`` is listed in ascending ``window_field`` order; the client walks it
by keyset (each page resumes at the last date value read), so no ``_skip`` ever grows with the
window and Close's maximum ``_skip`` is never reached (close-api.md §5, §9b).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from airflow_provider_close.client.timestamps import format_moment, parse_moment, to_moment

if TYPE_CHECKING:
    from airflow_provider_close.client.resources import ResourceSpec

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
