"""The windowed walk: every row of ``[start, end)`` once, in (date, id) order.

The pages are the client's own (``client.pagination.Page``) from its keyset walk, whose
``dropped`` counts the rows re-read at a page boundary; the walk checks each row against
the window and the order, releases the rows of one date value sorted by id, and counts
pages. It takes the pages as an iterator, so it is tested without a network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from airflow_provider_close.client import CloseMaxSkipError
from airflow_provider_close.client.pagination import Page
from airflow_provider_close.client.resources import ResourceSpec
from airflow_provider_close.extraction.errors import WindowTooDenseError
from airflow_provider_close.extraction.ordering import TieGroup
from airflow_provider_close.extraction.windows import Window

__all__ = ["WalkStats", "iter_windowed"]

JSONObject = dict[str, Any]


@dataclass
class WalkStats:
    """Counters of one extraction.

    :param pages: pages received.
    :param max_skip_errors: requests Close refused with its max-skip error.
    :param windows: windows walked.
    :param rows_reread: rows read again at a keyset page boundary (dropped, never written
        twice).
    :param duplicates_dropped: rows Close sent twice within one date value (dropped by id).
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
    pages: Iterator[Page], spec: ResourceSpec, window: Window, stats: WalkStats
) -> Iterator[JSONObject]:
    """Yield every row of ``window`` once, ascending by (window field, id).

    :param pages: the window's pages, ascending on the window field.
    :param spec: a windowed resource.
    :param window: the half-open interval being extracted.
    :param stats: counters updated as the walk goes.
    :raises WindowTooDenseError: more rows share one date value than Close lets us page.
    :raises UnexpectedOrderError: Close broke the window filter or the ordering.
    """
    if spec.window_field is None:
        raise ValueError(f"{spec.name} is not a windowed resource")
    stats.windows += 1
    group = TieGroup(spec.name, spec.window_field, window)
    try:
        for page in pages:
            stats.pages += 1
            stats.rows_reread += page.dropped
            for row in page.items:
                yield from group.add(row)
    except CloseMaxSkipError as err:
        # Only a run of rows sharing one date value is stepped through by _skip.
        stats.max_skip_errors += 1
        raise WindowTooDenseError(spec.name, group.moment, err.max_skip) from err
    yield from group.release()
    stats.duplicates_dropped += group.duplicates
