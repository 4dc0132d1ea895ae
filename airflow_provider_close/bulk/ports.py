"""The slice of ``AsyncCloseClient`` the bulk engine uses, as a Protocol.

Keeping the engine typed against this (instead of the concrete class) keeps it free of
transport details; the real ``AsyncCloseClient`` satisfies it structurally.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

__all__ = ["AsyncCloseAPI", "ClientCounters", "RateReading"]


class RateReading(Protocol):
    """A ``RateLimitInfo``."""

    @property
    def limit(self) -> int | None: ...

    @property
    def remaining(self) -> int: ...

    @property
    def reset(self) -> float: ...


class ClientCounters(Protocol):
    """A client's ``stats``."""

    rate_limited: int
    requests: int


class AsyncCloseAPI(Protocol):
    """What the engine needs from an ``AsyncCloseClient``."""

    @property
    def stats(self) -> ClientCounters: ...

    @property
    def last_rate_limit(self) -> RateReading | None: ...

    def rate_limit_for(self, method: str, path: str) -> RateReading | None: ...

    async def get(
        self, path: str, params: Mapping[str, Any] | None = ..., *, fields: Any = ...
    ) -> dict[str, Any]: ...

    async def post(
        self,
        path: str,
        json: object = ...,
        *,
        params: Mapping[str, Any] | None = ...,
        retry_safe: bool = ...,
    ) -> dict[str, Any]: ...

    async def put(
        self, path: str, json: object = ..., *, params: Mapping[str, Any] | None = ...
    ) -> dict[str, Any]: ...

    def iter_search(
        self, body: Mapping[str, Any], *, page_size: int | None = ..., max_items: int | None = ...
    ) -> AsyncIterator[dict[str, Any]]: ...

    def iter_items(
        self,
        path: str,
        params: Mapping[str, Any] | None = ...,
        *,
        page_size: int | None = ...,
        max_items: int | None = ...,
        fields: Any = ...,
    ) -> AsyncIterator[dict[str, Any]]: ...
