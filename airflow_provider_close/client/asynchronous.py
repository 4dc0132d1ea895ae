"""``AsyncCloseClient``: the asyncio Close client, the same loop as :mod:`.sync`, awaiting.

One client may serve many concurrent tasks: the throttle hands out send slots under a lock
and never awaits while holding it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from airflow_provider_close.client.attempt import Attempt, Done, RequestSpec, Send, Step, Wait
from airflow_provider_close.client.auth import CloseAuth
from airflow_provider_close.client.config import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    ClientCore,
    Fields,
    client_config,
    with_fields,
)
from airflow_provider_close.client.errors import CloseMaxLimitError, JSONObject
from airflow_provider_close.client.pagination import Page, Paginator
from airflow_provider_close.client.paginators import (
    event_paginator,
    offset_paginator,
    search_paginator,
)
from airflow_provider_close.client.retry import RetryPolicy
from airflow_provider_close.client.transport import POOL_LIMITS, use_linear_pool

__all__ = ["AsyncCloseClient"]

#: Paths whose absolute URL is kept (creates and searches repeat one path; updates do not).
_CACHED_URLS = 256


class AsyncCloseClient(ClientCore):
    """Asynchronous Close API client (httpx), with retries, throttling and pagination.

    :param api_key: Close API key (HTTP Basic); exclusive with ``access_token``.
    :param access_token: OAuth access token (Bearer); exclusive with ``api_key``.
    :param auth: a ready auth instead of either, e.g. ``OAuthRefreshAuth`` (refreshing OAuth).
    :param base_url: API base URL.
    :param timeout: seconds per connect/read/write/pool; never infinite.
    :param retry: retry policy (attempts, total wait, backoff, jitter).
    :param transport: an httpx transport (tests: ``httpx.MockTransport``); default: the one
        httpx builds (proxies from the environment included), its pool swapped for
        :class:`~.transport.LinearPool` on asyncio sockets, every connection kept alive.
    :param sleep: the sleep used between attempts (tests record it).
    :param clock: monotonic clock used by the throttle.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        access_token: str | None = None,
        auth: CloseAuth | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] | None = None,
    ) -> None:
        config = client_config(
            api_key=api_key,
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            auth=auth,
        )
        super().__init__(config, clock)
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            transport=transport, limits=POOL_LIMITS, **config.httpx_options()
        )
        if transport is None:  # httpx's own; its proxy mounts (from the environment) stay
            use_linear_pool(self._http._transport)
        #: Absolute URLs by path: httpx parses and joins a relative one on every request.
        self._url_of = functools.lru_cache(maxsize=_CACHED_URLS)(self._absolute_url)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: object = None,
        fields: Fields = None,
        retry_safe: bool | None = None,
    ) -> JSONObject:
        """Send one request (retried as the policy allows) and return its JSON object.

        :param method: HTTP method.
        :param path: path relative to the base URL (a trailing ``/`` is added).
        :param params: query parameters (dates become ISO 8601, lists are comma-joined).
        :param json: JSON body.
        :param fields: ``_fields`` to return.
        :param retry_safe: override whether repeating is safe (default: idempotent methods).
        """
        spec = self._spec(method, path, params, json=json, fields=fields, retry_safe=retry_safe)
        return await self._run(spec)

    async def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, fields: Fields = None
    ) -> JSONObject:
        """GET ``path``.

        :param path: path relative to the base URL.
        :param params: query parameters.
        :param fields: ``_fields`` to return.
        """
        return await self.request("GET", path, params=params, fields=fields)

    async def post(
        self,
        path: str,
        json: object = None,
        *,
        params: Mapping[str, Any] | None = None,
        retry_safe: bool = False,
    ) -> JSONObject:
        """POST ``json`` to ``path``; never re-sent once it may have been applied.

        :param path: path relative to the base URL.
        :param json: JSON body.
        :param params: query parameters.
        :param retry_safe: the POST is a read (e.g. a search) and may be repeated.
        """
        return await self.request("POST", path, params=params, json=json, retry_safe=retry_safe)

    async def put(
        self, path: str, json: object = None, *, params: Mapping[str, Any] | None = None
    ) -> JSONObject:
        """PUT (partial update) ``json`` to ``path``.

        :param path: path relative to the base URL.
        :param json: the fields to change.
        :param params: query parameters.
        """
        return await self.request("PUT", path, params=params, json=json)

    async def delete(self, path: str, *, params: Mapping[str, Any] | None = None) -> JSONObject:
        """DELETE ``path`` (``{}`` on success).

        :param path: path relative to the base URL.
        :param params: query parameters.
        """
        return await self.request("DELETE", path, params=params)

    async def iter_pages(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        fields: Fields = None,
    ) -> AsyncIterator[Page]:
        """Yield the pages of an offset list lazily.

        :param path: list path.
        :param params: filters.
        :param page_size: ``_limit``; ``None`` = the resource's maximum.
        :param max_items: raise ``ClosePaginationLimitError`` past this many items.
        :param fields: ``_fields`` to return.
        """
        query = with_fields(params, fields)
        size = self._page_size(path, page_size)
        pager = offset_paginator(path, query, page_size=size, max_items=max_items)
        async for page in self._walk(pager):
            yield page

    async def iter_items(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int | None = None,
        max_items: int | None = None,
        fields: Fields = None,
    ) -> AsyncIterator[JSONObject]:
        """Yield the items of an offset list lazily (see :meth:`iter_pages`).

        :param path: list path.
        :param params: filters.
        :param page_size: ``_limit``.
        :param max_items: raise ``ClosePaginationLimitError`` past this many items.
        :param fields: ``_fields`` to return.
        """
        async for page in self.iter_pages(
            path, params, page_size=page_size, max_items=max_items, fields=fields
        ):
            for item in page.items:
                yield item

    async def iter_events(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        max_items: int | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[JSONObject]:
        """Yield ``/event/`` items, newest first, following ``cursor_next``.

        :param params: event filters (resent with every page).
        :param max_items: raise ``ClosePaginationLimitError`` past this many items.
        :param page_size: ``_limit`` (max 50).
        """
        async for page in self._walk(
            event_paginator(
                params, page_size=self._page_size("event/", page_size), max_items=max_items
            )
        ):
            for item in page.items:
                yield item

    async def iter_search(
        self,
        body: Mapping[str, Any],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncIterator[JSONObject]:
        """Yield ``POST /data/search/`` results (keyset or cursor, see :meth:`iter_search_pages`).

        :param body: Advanced Filtering body.
        :param page_size: ``_limit``.
        :param max_items: raise ``ClosePaginationLimitError`` past this many items.
        """
        async for page in self.iter_search_pages(body, page_size=page_size, max_items=max_items):
            for item in page.items:
                yield item

    async def iter_search_pages(
        self,
        body: Mapping[str, Any],
        *,
        page_size: int | None = None,
        max_items: int | None = None,
    ) -> AsyncIterator[Page]:
        """Yield ``POST /data/search/`` pages lazily.

        A search of one object type without ``sort`` is walked by keyset on ``date_created``
        (exact while Close changes); any other follows Close's ``cursor``.

        :param body: Advanced Filtering body.
        :param page_size: ``_limit``.
        :param max_items: raise ``ClosePaginationLimitError`` past this many items.
        """
        size = self._page_size("data/search/", page_size)
        async for page in self._walk(search_paginator(body, page_size=size, max_items=max_items)):
            yield page

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _absolute_url(self, path: str) -> httpx.URL:
        """Return ``path`` joined to the base URL, as httpx would join it."""
        base = self._http.base_url
        return base.copy_with(raw_path=base.raw_path + httpx.URL(path).raw_path.lstrip(b"/"))

    async def _walk(self, pager: Paginator) -> AsyncIterator[Page]:
        """Drive a paginator: request each page, yield it, enforce ``max_items``."""
        while (page_request := pager.next_request()) is not None:
            try:
                response = await self._run(self._page_spec(page_request))
            except CloseMaxLimitError as error:
                self._learn_page_size(pager, page_request, error)
                continue
            page = pager.on_page(response)
            if page is not None:
                yield page
            pager.raise_if_over_limit()

    async def _run(self, spec: RequestSpec) -> JSONObject:
        """Drive one request's attempt machine: the only place that sends and sleeps."""
        attempt = self._attempt(spec)
        args = self._httpx_request_args(spec)
        args["url"] = self._url_of(spec.path)
        request = self._http.build_request(**args)
        try:
            return await self._drive(attempt, request)
        except BaseException:
            attempt.abandon()
            raise

    async def _drive(self, attempt: Attempt, request: httpx.Request) -> JSONObject:
        """Send and sleep as the attempt machine says until it is done."""
        step: Step = attempt.start()
        while True:
            if isinstance(step, Wait):
                await self._sleep(step.seconds)
                step = attempt.resume()
            elif isinstance(step, Send):
                try:
                    response = await self._http.send(request)
                except httpx.RequestError as exc:
                    step = attempt.on_error(exc)
                else:
                    step = attempt.on_response(response)
            elif isinstance(step, Done):
                return step.result
            else:
                raise step.error from step.cause
