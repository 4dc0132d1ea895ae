"""The paginator of each kind of Close list: offset, keyset, unpaged, event cursor, search.

See :mod:`.pagination` for the paginator and :mod:`.keyset` for why date-ordered lists and
one-type searches are walked by keyset rather than by offset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from airflow_provider_close.client.errors import CloseError, JSONObject
from airflow_provider_close.client.keyset import (
    OffsetKeyset,
    keyset_order,
    lead_query_keyset,
    lead_query_text,
    legacy_lead_query,
)
from airflow_provider_close.client.pagination import (
    PageRequest,
    Paginator,
    bounded_size,
    next_event_params,
    next_offset_params,
    next_search_body,
)
from airflow_provider_close.client.resources import is_unpaged, max_page_size, normalize_path
from airflow_provider_close.client.search_keyset import SearchKeyset, search_keyset_type

__all__ = [
    "EVENT_PATH",
    "SEARCH_PATH",
    "event_paginator",
    "first_list_params",
    "offset_paginator",
    "search_paginator",
]

EVENT_PATH = "event/"
SEARCH_PATH = "data/search/"


def first_list_params(
    path: str, params: Mapping[str, Any] | None, page_size: int | None, max_items: int | None
) -> dict[str, Any]:
    """Return the first page's query for an offset list: ``_limit`` and its keyset order.

    Unpaged lists (:func:`~airflow_provider_close.client.resources.is_unpaged`) get neither
    (Close documents no paging for them).

    :param path: list path.
    :param params: the caller's filters (a caller's ``_limit``/``_order_by`` is kept).
    :param page_size: requested page size, ``None`` for the resource's maximum.
    :param max_items: the caller's bound; the first page need not be larger than it + 1.
    """
    query = dict(params or {})
    if is_unpaged(path):
        return query
    size = page_size or int(query.get("_limit") or max_page_size(path))
    query["_limit"] = bounded_size(size, max_items)
    order = keyset_order(path, query)
    if order is not None:
        query["_order_by"] = order.order_by
    return query


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
    if is_unpaged(first.path):
        return Paginator(first, _advance_unpaged, max_items=max_items)
    order = keyset_order(path, query)
    lead_query = legacy_lead_query(path, query)
    if lead_query is not None:
        keyset = lead_query_keyset(lead_query)
        first = replace(first, params={**query, "query": lead_query_text(lead_query)})
    elif order is not None:
        keyset = OffsetKeyset(order)
    else:
        return Paginator(first, _advance_offset, max_items=max_items, more_is_certain=True)

    def advance(request: PageRequest, response: JSONObject) -> PageRequest | None:
        query = keyset.next_params(request.params or {}, response)
        return None if query is None else replace(request, params=query)

    return Paginator(
        first,
        advance,
        max_items=max_items,
        more_is_certain=lambda: not keyset.retrying,
        fresh=keyset.fresh,
    )


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
    query["_limit"] = bounded_size(page_size or max_page_size(EVENT_PATH), max_items)
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
    first_body["_limit"] = bounded_size(size, max_items)
    object_type = search_keyset_type(first_body)
    if object_type is None:
        first = PageRequest("POST", SEARCH_PATH, json=first_body)
        return Paginator(first, _advance_search, max_items=max_items)
    keyset = SearchKeyset(object_type, first_body)
    first = PageRequest("POST", SEARCH_PATH, json=keyset.first_body(first_body))

    def advance(request: PageRequest, response: JSONObject) -> PageRequest | None:
        next_body = keyset.next_body(request.json or {}, response)
        return None if next_body is None else replace(request, json=next_body)

    return Paginator(first, advance, max_items=max_items, fresh=keyset.fresh)


def _advance_unpaged(request: PageRequest, response: JSONObject) -> PageRequest | None:
    """End the walk of a one-answer list; refuse one that says more follows."""
    if response.get("has_more"):
        raise CloseError(
            f"GET {request.path} answered has_more although Close documents no paging for it",
            method="GET",
            path=request.path,
        )
    return None


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
