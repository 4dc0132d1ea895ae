"""Next-page parameters for Close's offset and cursor lists, and the sans-I/O paginator.

Offset lists use ``_skip``/``_limit`` and ``has_more`` (missing = no more); those with a date
order (activities, tasks, opportunities) are walked by keyset instead (:mod:`.keyset`), so they
stay exact while Close changes between pages. ``/event/`` uses the ``_cursor`` query parameter
and ``cursor_next``; ``/data/search/`` puts ``cursor`` and ``_limit`` in the POST body and
answers ``cursor`` (one-type searches without a ``sort`` are keyset-walked too). Every walk
drops an object it already yielded. The unpaged configuration lists (``client.resources``) are
read in one request without ``_limit``. The :class:`Paginator` tells the sync and async clients
which request to send next; it never sends anything itself.
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

__all__ = [
    "Page",
    "PageRequest",
    "Paginator",
    "bounded_size",
    "next_event_params",
    "next_offset_params",
    "next_search_body",
]


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

    :param items: the page's objects (``data``) not yielded before, cut to ``max_items`` if
        one was given.
    :param raw: the whole response (``has_more``, cursors, ``total_results``...).
    :param dropped: objects of ``data`` already yielded earlier in the walk (left out).
    """

    items: list[JSONObject]
    raw: JSONObject
    dropped: int = 0

    @property
    def has_more(self) -> bool:
        """Whether Close said more pages follow (``has_more`` or a cursor)."""
        return bool(
            self.raw.get("has_more") or self.raw.get("cursor_next") or self.raw.get("cursor")
        )


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
    :param more_is_certain: a next request proves more items exist (offset ``has_more``); a
        callable is asked after each page.
    :param fresh: drops the items of a page already yielded (called before ``advance``);
        by default an item whose id was yielded before is dropped.
    """

    def __init__(
        self,
        first: PageRequest,
        advance: Callable[[PageRequest, JSONObject], PageRequest | None],
        *,
        max_items: int | None = None,
        more_is_certain: bool | Callable[[], bool] = False,
        fresh: Callable[[list[JSONObject]], list[JSONObject]] | None = None,
    ) -> None:
        self._first = first
        self._request: PageRequest | None = first
        self._advance = advance
        self._max_items = max_items
        self._more_is_certain = more_is_certain
        self._fresh = fresh or _UnseenIds().fresh
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
        fresh = self._fresh(items)
        allowed = self._take(fresh)
        self._request = self._advance(current, response)
        if self._request == current:
            raise CloseError(
                f"{current.method} {current.path}: the next page would repeat this one; "
                "refusing to loop forever",
                method=current.method,
                path=current.path,
            )
        certain = self._more_is_certain
        more = certain() if callable(certain) else certain
        if self._request is not None and more and self._full():
            self._exceeded = True
        if not allowed and self._yielded and self._full():
            return None
        return Page(items=allowed, raw=response, dropped=len(items) - len(fresh))

    def shrink(self, max_limit: int) -> bool:
        """Lower the pending request's ``_limit`` to ``max_limit``; False if it was not above.

        :param max_limit: the largest page Close said the resource allows.
        """
        request = self._request
        if request is None or max_limit < 1:
            return False
        if request.json is not None:
            if int(request.json.get("_limit") or 0) <= max_limit:
                return False
            self._request = replace(request, json={**request.json, "_limit": max_limit})
            return True
        params = request.params or {}
        if int(params.get("_limit") or 0) <= max_limit:
            return False
        self._request = replace(request, params={**params, "_limit": max_limit})
        return True

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


class _UnseenIds:
    """Drops items whose id was already yielded in this walk (cursor and offset walks)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def fresh(self, items: list[JSONObject]) -> list[JSONObject]:
        """Return the items not seen before, remembering them."""
        kept = []
        for item in items:
            identifier = item.get("id")
            if isinstance(identifier, str):
                if identifier in self._seen:
                    continue
                self._seen.add(identifier)
            kept.append(item)
        return kept


def bounded_size(size: int, max_items: int | None) -> int:
    """Return a page size no larger than needed to detect an item beyond ``max_items``."""
    if size < 1:
        raise ValueError(f"page_size must be >= 1, got {size}")
    return size if max_items is None else max(1, min(size, max_items + 1))
