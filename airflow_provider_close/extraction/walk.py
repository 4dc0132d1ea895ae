"""The windowed walk: every row of ``[start, end)`` once, in (date, id) order, splitting windows
before Close's maximum ``_skip``. I/O goes through a :data:`PageReader` so the walk itself is
tested without a network.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_close.client import CloseMaxSkipError
from airflow_provider_close.extraction.errors import CloseExtractionError
from airflow_provider_close.extraction.ordering import TieGroup
from airflow_provider_close.extraction.resources import ResourceSpec
from airflow_provider_close.extraction.windows import (
    Window,
    must_split,
    remaining_window,
    window_params,
)

__all__ = ["PageData", "PageReader", "WalkStats", "iter_windowed"]

JSONObject = dict[str, Any]


@dataclass(frozen=True)
class PageData:
    """One page of an offset walk.

    :param items: the page's rows, in Close's order.
    :param has_more: whether Close said another page exists.
    """

    items: Sequence[JSONObject]
    has_more: bool


#: Lists one window: given its query parameters, yields its pages from ``_skip=0`` lazily
#: (the next page is requested only when asked for).
PageReader = Callable[[Mapping[str, str]], Iterator[PageData]]


@dataclass
class WalkStats:
    """Counters of one extraction.

    :param pages: pages received (requests that returned rows or an empty last page).
    :param max_skip_errors: requests Close refused with its max-skip error.
    :param windows: windows walked (1 + number of splits).
    :param rows_reread: held-back rows read again after a split.
    :param duplicates_dropped: rows Close sent twice within a window (dropped by id).
    """

    pages: int = 0
    max_skip_errors: int = 0
    windows: int = 0
    rows_reread: int = 0
    duplicates_dropped: int = 0

    @property
    def requests(self) -> int:
        """Requests sent for the walk (pages plus refused requests)."""
        return self.pages + self.max_skip_errors


def iter_windowed(
    read_pages: PageReader, spec: ResourceSpec, window: Window, stats: WalkStats
) -> Iterator[JSONObject]:
    """Yield every row of ``window`` once, ascending by (window field, id).

    :param read_pages: lists one window (see :data:`PageReader`).
    :param spec: a windowed offset resource.
    :param window: the half-open interval to extract.
    :param stats: counters updated as the walk goes.
    :raises WindowTooDenseError: too many rows share one date value to page through.
    :raises UnexpectedOrderError: Close broke the window filter or the ordering.
    """
    if spec.window_field is None or spec.pagination != "offset":
        raise ValueError(f"{spec.name} is not a windowed offset resource")
    current: Window | None = window
    max_skip = spec.max_skip
    while current is not None:
        stats.windows += 1
        current, max_skip = yield from _walk_window(read_pages, spec, current, max_skip, stats)


def _walk_window(
    read_pages: PageReader,
    spec: ResourceSpec,
    window: Window,
    max_skip: int,
    stats: WalkStats,
) -> Generator[JSONObject, None, tuple[Window | None, int]]:
    """Walk one window; return the window left to walk (None when done) and the max skip."""
    group = TieGroup(spec.name, str(spec.window_field), window)
    rows_read = 0
    try:
        for page in read_pages(window_params(spec, window)):
            stats.pages += 1
            for row in page.items:
                yield from group.add(row)
            rows_read += len(page.items)
            if must_split(rows_read, page.has_more, max_skip):
                return _split(spec, window, group, max_skip, stats), max_skip
    except CloseMaxSkipError as err:
        stats.max_skip_errors += 1
        # Close refused _skip=rows_read, so its limit is below that even if unstated.
        max_skip = err.max_skip if err.max_skip is not None else rows_read - 1
        return _split(spec, window, group, max_skip, stats), max_skip
    yield from group.release()
    stats.duplicates_dropped += group.duplicates
    return None, max_skip


def _split(
    spec: ResourceSpec, window: Window, group: TieGroup, max_skip: int, stats: WalkStats
) -> Window:
    """Hold back the rows at the last date value and return the window that re-reads them."""
    if group.moment is None:
        raise CloseExtractionError(spec.name, f"max skip ({max_skip}) reached before any row")
    remaining = remaining_window(spec, window, group.moment, max_skip)
    stats.duplicates_dropped += group.duplicates
    stats.rows_reread += group.discard()
    return remaining
