"""Next-page parameters for Close's offset and cursor lists, and a sans-I/O paginator.

Offset lists use ``_skip``/``_limit`` and ``has_more`` (missing = no more). ``/event/`` uses
the ``_cursor`` query parameter and ``cursor_next``; ``/data/search/`` puts ``cursor`` and
``_limit`` in the POST body and answers ``cursor``. The :class:`Paginator` tells the sync and
async clients which request to send next; it never sends anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from airflow_provider_close.client.errors import (
    CloseError,
    ClosePaginationLimitError,
    JSONObject,
)
from airflow_provider_close.client.resources import (
    ORDERED_BY_DATE_CREATED,
    max_page_size,
    normalize_path,
)

__all__ = [
    "EVENT_PATH",
    "SEARCH_PATH",
    "Page",
    "PageRequest",
    "Paginator",
    "event_paginator",
    "first_list_params",
    "next_event_params",
    "next_offset_params",
    "next_search_body",
    "offset_paginator",
    "search_paginator",
]

EVENT_PATH = "event/"
SEARCH_PATH = "data/search/"


@dataclass(frozen=True)
class PageRequest:
    """One page request.

    :param method: HTTP method.
    :param path: path relative to the base URL.
    :param params: query parameters.
    :param json: JSON body (search only).
    """

    method: str
    path: str
    params: dict[str, Any] | None = None
    json: JSONObject | None = None


@dataclass(frozen=True)
class Page:
    """One page of a list.

    :param items: the page's objects (``data``), cut to ``max_items`` if one was given.
    :param raw: the whole response (``has_more``, cursors, ``total_results``...).
    """

    items: list[JSONObject]
    raw: JSONObject

    @property
    def has_more(self) -> bool:
        """Whether Close said more pages follow (``has_more`` or a cursor)."""
        return bool(
            self.raw.get("has_more") or self.raw.get("cursor_next") or self.raw.get("cursor")
        )


def first_list_params(
    path: str, params: Mapping[str, Any] | None, page_size: int | None, max_items: int | None
) -> dict[str, Any]:
    """Return the first page's query for an offset list: ``_limit`` and a stable order.

    :param path: list path.
    :param params: the caller's filters (a caller's ``_limit``/``_order_by`` is kept).
    :param page_size: requested page size, ``None`` for the resource's maximum.
    :param max_items: the caller's bound; the first page need not be larger than it + 1.
    """
    query = dict(params or {})
    size = page_size or int(query.get("_limit") or max_page_size(path))
    query["_limit"] = _bounded_size(size, max_items)
    if normalize_path(path) in ORDERED_BY_DATE_CREATED and "_order_by" not in query:
        query["_order_by"] = "date_created"
    return query


def next_offset_params(params: Mapping[str, Any], page: JSONObject) -> dict[str, Any] | None:
    """Return the next offset page's query, or ``None`` when ``has_more`` is false/missing.

    :param params: the query of the page just read.
    :param page: that page's response.
    """
    if not page.get("has_more"):
        return None
    data = page.get("data") or []
    if not data:
        raise CloseError("has_more is true on an empty page; refusing to loop forever")
    return {**params, "_skip": int(params.get("_skip") or 0) + len(data)}


def next_event_params(params: Mapping[str, Any], page: JSONObject) -> dict[str, Any] | None:
    """Return the next ``/event/`` query (same filters + ``_cursor``), or ``None`` at the end.

    :param params: the query of the page just read.
    :param page: that page's response.
    """
    cursor = page.get("cursor_next")
    return {**params, "_cursor": cursor} if cursor else None


def next_search_body(body: Mapping[str, Any], page: JSONObject) -> JSONObject | None:
    """Return the next ``/data/search/`` body (same query + ``cursor``), or ``None`` at the end.

    :param body: the body of the page just read.
    :param page: that page's response.
    """
    cursor = page.get("cursor")
    return {**body, "cursor": cursor} if cursor else None


class Paginator:
    """Sans-I/O walk over a list: next request in, response out, ``max_items`` enforced.

    :param first: the first page request.
    :param advance: returns the next request after a response, or ``None``.
    :param max_items: yield at most this many items; more raises.
    :param more_is_certain: a next request proves more items exist (offset ``has_more``).
    """

    def __init__(
        self,
        first: PageRequest,
        advance: Callable[[PageRequest, JSONObject], PageRequest | None],
        *,
        max_items: int | None = None,
        more_is_certain: bool = False,
    ) -> None:
        self._first = first
        self._request: PageRequest | None = first
        self._advance = advance
        self._max_items = max_items
        self._more_is_certain = more_is_certain
        self._yielded = 0
        self._exceeded = False

    def next_request(self) -> PageRequest | None:
        """Return the request for the next page, or ``None`` when the walk is over."""
        return None if self._exceeded else self._request

    def on_page(self, response: JSONObject) -> Page | None:
        """Return the page to yield for a response (``None`` if nothing is left to yield).

        :param response: the decoded response of :meth:`next_request`.
        """
        current = self._request
        if current is None:
            raise CloseError("on_page called after the walk ended")
        items = _page_items(current, response)
        allowed = self._take(items)
        self._request = self._advance(current, response)
        if self._request is not None and self._more_is_certain and self._full():
            self._exceeded = True
        if not allowed and self._yielded and self._full():
            return None
        return Page(items=allowed, raw=response)

    def raise_if_over_limit(self) -> None:
        """Raise :class:`ClosePaginationLimitError` once more than ``max_items`` were seen."""
        if self._exceeded and self._max_items is not None:
            first = self._first
            raise ClosePaginationLimitError(first.method, first.path, self._max_items)

    def _take(self, items: list[JSONObject]) -> list[JSONObject]:
        """Return the items still within budget, noting when some were over it."""
        if self._max_items is None:
            return items
        allowed = items[: max(0, self._max_items - self._yielded)]
        self._yielded += len(allowed)
        if len(allowed) < len(items):
            self._exceeded = True
        return allowed

    def _full(self) -> bool:
        """Return whether ``max_items`` items have been yielded."""
        return self._max_items is not None and self._yielded >= self._max_items


def offset_paginator(
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int | None = None,
    max_items: int | None = None,
) -> Paginator:
    """Return the paginator of an offset list (``_skip``/``_limit``/``has_more``).

    :param path: list path.
    :param params: the caller's filters.
    :param page_size: page size, ``None`` for the resource's maximum.
    :param max_items: yield at most this many items.
    """
    query = first_list_params(path, params, page_size, max_items)
    first = PageRequest("GET", normalize_path(path), params=query)
    return Paginator(first, _advance_offset, max_items=max_items, more_is_certain=True)


def event_paginator(
    params: Mapping[str, Any] | None = None,
    *,
    page_size: int | None = None,
    max_items: int | None = None,
) -> Paginator:
    """Return the paginator of ``/event/`` (``_cursor`` / ``cursor_next``).

    :param params: event filters (resent with every page).
    :param page_size: page size, ``None`` for the maximum (50).
    :param max_items: yield at most this many items.
    """
    query = dict(params or {})
    query["_limit"] = _bounded_size(page_size or max_page_size(EVENT_PATH), max_items)
    first = PageRequest("GET", EVENT_PATH, params=query)
    return Paginator(first, _advance_event, max_items=max_items)


def search_paginator(
    body: Mapping[str, Any],
    *,
    page_size: int | None = None,
    max_items: int | None = None,
) -> Paginator:
    """Return the paginator of ``POST /data/search/`` (``cursor`` in body and response).

    :param body: the Advanced Filtering body (``query``, ``_fields``, ``sort``...).
    :param page_size: ``_limit`` per page, ``None`` for the caller's or the default.
    :param max_items: yield at most this many items.
    """
    first_body = dict(body)
    size = page_size or int(first_body.get("_limit") or max_page_size(SEARCH_PATH))
    first_body["_limit"] = _bounded_size(size, max_items)
    first = PageRequest("POST", SEARCH_PATH, json=first_body)
    return Paginator(first, _advance_search, max_items=max_items)


def _bounded_size(size: int, max_items: int | None) -> int:
    """Return a page size no larger than needed to detect an item beyond ``max_items``."""
    if size < 1:
        raise ValueError(f"page_size must be >= 1, got {size}")
    return size if max_items is None else max(1, min(size, max_items + 1))


def _page_items(request: PageRequest, response: JSONObject) -> list[JSONObject]:
    """Return a response's ``data`` list, or raise if the response is not a list page."""
    data = response.get("data")
    if not isinstance(data, list):
        raise CloseError(
            f"{request.method} {request.path}: response has no 'data' list",
            method=request.method,
            path=request.path,
        )
    return data


def _advance_offset(request: PageRequest, response: JSONObject) -> PageRequest | None:
    """Return the next offset page request."""
    params = next_offset_params(request.params or {}, response)
    return None if params is None else replace(request, params=params)


def _advance_event(request: PageRequest, response: JSONObject) -> PageRequest | None:
    """Return the next ``/event/`` page request."""
    params = next_event_params(request.params or {}, response)
    return None if params is None else replace(request, params=params)


def _advance_search(request: PageRequest, response: JSONObject) -> PageRequest | None:
    """Return the next ``/data/search/`` page request."""
    body = next_search_body(request.json or {}, response)
    return None if body is None else replace(request, json=body)
