"""One generic extraction path for every Close list resource (no Airflow imports).

``iter_extract`` picks the walk the resource allows: a date window walked by keyset (offset
lists with a date filter, and leads/contacts through Advanced Filtering, which trails writes),
a cursor walk (``/event/``), or one plain offset walk for the small lists without a date filter
(the legacy lead ``query`` search, and the contacts of one lead, which the immediate plain
``/contact/?lead_id=`` list returns), which fails loudly instead of truncating when too long.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_close.client import CloseMaxSkipError
from airflow_provider_close.client.resources import ResourceSpec
from airflow_provider_close.extraction.errors import UnwindowedLimitError
from airflow_provider_close.extraction.ordering import row_id, row_moment
from airflow_provider_close.extraction.search import search_body, search_row
from airflow_provider_close.extraction.walk import WalkStats, iter_windowed
from airflow_provider_close.extraction.windows import Window, window_params

if TYPE_CHECKING:
    from airflow_provider_close.client.pagination import Page
    from airflow_provider_close.client.sync import CloseClient

__all__ = ["iter_extract"]

JSONObject = dict[str, Any]


def iter_extract(
    client: CloseClient,
    spec: ResourceSpec,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    stats: WalkStats | None = None,
) -> Iterator[JSONObject]:
    """Yield every row of ``spec`` whose window field lies in ``[start, end)``, each once.

    Windowed resources come ascending by (window field, id), identically on every run, and
    exactly once even if Close changes between pages (see ``client/keyset.py``); events come
    as Close sends them (newest first); other resources in Close's order.

    :param client: a ``CloseClient``.
    :param spec: the resource, e.g. ``resource_spec("activity.call")``.
    :param start: inclusive lower bound (aware), or None; must be None for unwindowed resources.
    :param end: exclusive upper bound (aware), or None; must be None for unwindowed resources.
    :param stats: counters to update (pages, windows, re-reads...), if wanted.
    :raises ValueError: a bound given for a resource without a date filter.
    :raises CloseExtractionError: the output could not be complete and exact.
    """
    counters = stats if stats is not None else WalkStats()
    legacy_query = spec.pagination == "search" and "query" in spec.params
    if spec.window_field is None or legacy_query:
        if start is not None or end is not None:
            what = "the lead query search" if legacy_query else spec.name
            raise ValueError(f"{what} has no date filter in Close; extract it without start/end")
        return _iter_unwindowed(client, spec, counters)
    window = Window(start, end)
    if spec.search_type == "contact" and spec.params.get("lead_id"):
        return _iter_lead_contacts(client, spec, window, counters)
    if spec.pagination == "cursor":
        return _iter_cursor(client, spec, window, counters)
    pages: Iterator[Page]
    if spec.pagination == "search":
        found = client.iter_search_pages(search_body(spec, window), page_size=spec.page_size)
        pages = (replace(page, items=[search_row(item) for item in page.items]) for page in found)
    else:
        pages = client.iter_pages(spec.path, window_params(spec, window), page_size=spec.page_size)
    return iter_windowed(pages, spec, window, counters)


def _iter_cursor(
    client: CloseClient, spec: ResourceSpec, window: Window, stats: WalkStats
) -> Iterator[JSONObject]:
    stats.windows += 1
    yield from client.iter_events(window_params(spec, window))


def _iter_lead_contacts(
    client: CloseClient, spec: ResourceSpec, window: Window, stats: WalkStats
) -> Iterator[JSONObject]:
    """Yield one lead's contacts from the plain ``/contact/?lead_id=`` list (§6.2).

    The plain list is immediate (search trails writes, §9b) and a lead has few contacts
    (a page or two), so one walk de-duplicated by id is exact; the rows are held, kept if in
    ``window`` and yielded ascending by (``date_created``, id) like every windowed list.
    """
    rows = (
        (row_moment(row, "date_created"), row_id(row), row)
        for row in _iter_unwindowed(client, spec, stats)
    )
    kept = [item for item in rows if window.contains(item[0])]
    for _moment, _id, row in sorted(kept, key=lambda item: item[:2]):
        yield row


def _iter_unwindowed(
    client: CloseClient, spec: ResourceSpec, stats: WalkStats
) -> Iterator[JSONObject]:
    stats.windows += 1
    try:
        for page in client.iter_pages(spec.path, dict(spec.params), page_size=spec.page_size):
            stats.pages += 1
            stats.rows_reread += page.dropped
            yield from page.items
    except CloseMaxSkipError as err:
        raise UnwindowedLimitError(spec.name, err.max_skip) from err
