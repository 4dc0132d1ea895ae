"""Errors of the extraction engine: every one means "the output would be incomplete or wrong".

```
CloseExtractionError                 base; nothing is ever silently truncated
├── WindowTooDenseError              one date value holds more rows than max skip lets us page
├── UnwindowedLimitError             a list without a date filter hit Close's max skip
└── UnexpectedOrderError             Close returned rows out of the window or out of order
```
"""

from __future__ import annotations

from datetime import datetime

__all__ = [
    "CloseExtractionError",
    "UnexpectedOrderError",
    "UnwindowedLimitError",
    "WindowTooDenseError",
]


class CloseExtractionError(Exception):
    """An extraction that cannot be completed exactly.

    :param resource: the resource spec name, e.g. ``activity.call``.
    :param message: what went wrong and what to do instead.
    """

    def __init__(self, resource: str, message: str) -> None:
        super().__init__(f"{resource}: {message}")
        self.resource = resource


class WindowTooDenseError(CloseExtractionError):
    """More rows share one date value than one offset walk can reach.

    :param resource: the resource spec name.
    :param moment: the date value shared by those rows (None if none was read yet).
    :param max_skip: Close's maximum ``_skip`` for the resource, if it said.
    """

    def __init__(self, resource: str, moment: datetime | None, max_skip: int | None) -> None:
        at = f"the date {moment.isoformat()}" if moment is not None else "one date"
        super().__init__(
            resource,
            f"more than {max_skip or 'the maximum skip of'} rows share {at}, so the walk "
            "cannot page past them; use Close's Export API for this range",
        )
        self.moment = moment
        self.max_skip = max_skip


class UnwindowedLimitError(CloseExtractionError):
    """A resource without a date filter has more rows than Close lets an offset walk reach.

    :param resource: the resource spec name.
    :param max_skip: Close's maximum ``_skip`` for the resource.
    """

    def __init__(self, resource: str, max_skip: int | None) -> None:
        limit = "the maximum skip" if max_skip is None else f"the maximum skip ({max_skip})"
        super().__init__(
            resource,
            f"the list is longer than {limit} and the resource has no date filter to split "
            "it by; extract it with Advanced Filtering (POST /data/search/) or the Export "
            "API (POST /export/lead/) instead",
        )
        self.max_skip = max_skip


class UnexpectedOrderError(CloseExtractionError):
    """Close returned a row outside the requested window or out of ascending order.

    :param resource: the resource spec name.
    :param detail: which row and which rule it broke.
    """

    def __init__(self, resource: str, detail: str) -> None:
        super().__init__(resource, f"refusing to continue, output would be unreliable: {detail}")
