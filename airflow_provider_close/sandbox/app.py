"""The sandbox ASGI app: Close's routes under ``/api/v1`` wrapped in the traffic layers.

Layers, outermost first, all pure ASGI: request log -> body limit -> faults/latency -> auth ->
rate limit -> mid-walk page hooks -> routes. ``/_sandbox/`` control routes bypass every layer
but their own guard (loopback ``Host``, own ``Origin``, JSON writes) and the body limit; other
paths answer ``404 {"error": ...}``.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_close.sandbox.auth import AuthMiddleware, Credentials
from airflow_provider_close.sandbox.body_limits import BodyLimitMiddleware
from airflow_provider_close.sandbox.config import (
    API_PREFIX,
    FAULT_SCOPE_KEY,
    api_path,
    is_api_path,
)
from airflow_provider_close.sandbox.control_guard import ControlGuard
from airflow_provider_close.sandbox.faults import FaultPlan
from airflow_provider_close.sandbox.injection import FaultMiddleware
from airflow_provider_close.sandbox.page_hooks import MidWalkMiddleware, PageHookPlan
from airflow_provider_close.sandbox.ratelimit import RateLimiter, RateLimitMiddleware

__all__ = ["AppParts", "RequestLog", "RequestRecord", "build_app"]

CONTROL_PREFIX = "/_sandbox/"


class RequestRecord(NamedTuple):
    """One API request as the sandbox saw it.

    ``path`` is relative to ``/api/v1`` (``"/lead/"``); ``status`` is what the client was
    sent (None if the connection was dropped or no response has started yet); ``fault`` is the
    injected fault kind, if any.
    """

    method: str
    path: str
    query: str
    status: int | None
    fault: str | None


class _Entry:
    """A request being (or having been) served; its fault is read from the live scope."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.status: int | None = None

    def record(self) -> RequestRecord:
        scope = self.scope
        return RequestRecord(
            method=str(scope["method"]),
            path=api_path(scope),
            query=bytes(scope.get("query_string", b"")).decode("latin-1"),
            status=self.status,
            fault=scope.get(FAULT_SCOPE_KEY),
        )


class RequestLog:
    """A thread-safe log of API requests in arrival order.

    A request is logged when it arrives and its status when the response starts, so the log
    is complete before the client sees the response (or the dropped connection).
    """

    def __init__(self) -> None:
        """Create an empty log."""
        self._lock = threading.Lock()
        self._entries: list[_Entry] = []

    def open(self, scope: Scope) -> _Entry:
        """Log a request that has just arrived and return its entry.

        :param scope: the request's ASGI scope.
        """
        entry = _Entry(scope)
        with self._lock:
            self._entries.append(entry)
        return entry

    def records(self) -> list[RequestRecord]:
        """Return a copy of the records, oldest first."""
        with self._lock:
            return [entry.record() for entry in self._entries]

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._entries.clear()


class RequestLogMiddleware:
    """Pure-ASGI middleware logging each HTTP request and the status sent back."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        """Wrap ``app``.

        :param app: the inner ASGI app.
        :param log: where records go.
        """
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Log the request, pass it on and note the status the client is sent.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        entry = self.log.open(scope)

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = int(message["status"])
            await send(message)

        await self.app(scope, receive, recording_send)


async def _http_error(_request: Request, exc: Exception) -> Response:
    """Render an HTTP error in Close's single-message shape."""
    if isinstance(exc, HTTPException):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code, headers=exc.headers)
    return JSONResponse({"error": "Internal server error"}, status_code=500)


def _json_404_app(routes: Sequence[BaseRoute]) -> Starlette:
    """Return a Starlette app serving ``routes`` with JSON errors."""
    return Starlette(routes=list(routes), exception_handlers={HTTPException: _http_error})


@dataclass
class AppParts:
    """Everything the app is assembled from."""

    close_routes: list[BaseRoute]
    credentials: Credentials
    request_log: RequestLog
    limiter: RateLimiter
    faults: FaultPlan
    latency_ms: Callable[[], int]
    drop_connection: Callable[[Scope], Awaitable[bool]]
    epoch: Callable[[], int]
    control_routes: list[BaseRoute] = field(default_factory=list)
    page_hooks: PageHookPlan = field(default_factory=PageHookPlan)


class _Dispatcher:
    """Send ``/_sandbox/`` to the control app, ``/api/v1`` to the API stack, the rest to 404."""

    def __init__(self, api: ASGIApp, control: ASGIApp, other: ASGIApp) -> None:
        self.api = api
        self.control = control
        self.other = other

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if path.startswith(CONTROL_PREFIX):
            await self.control(scope, receive, send)
        elif is_api_path(path):
            await self.api(scope, receive, send)
        else:
            await self.other(scope, receive, send)


def build_app(parts: AppParts) -> ASGIApp:
    """Return the sandbox ASGI app assembled from ``parts``.

    :param parts: routes, credentials and traffic controls.
    """
    routes_app = _json_404_app([Mount(API_PREFIX, routes=parts.close_routes)])
    api: ASGIApp = MidWalkMiddleware(routes_app, parts.page_hooks)
    api = RateLimitMiddleware(api, parts.limiter)
    api = AuthMiddleware(api, parts.credentials)
    api = FaultMiddleware(
        api,
        plan=parts.faults,
        limiter=parts.limiter,
        latency_ms=parts.latency_ms,
        drop_connection=parts.drop_connection,
        epoch=parts.epoch,
    )
    api = RequestLogMiddleware(BodyLimitMiddleware(api), parts.request_log)
    control = ControlGuard(BodyLimitMiddleware(_json_404_app(parts.control_routes)))
    return _Dispatcher(api, control, _json_404_app([]))
