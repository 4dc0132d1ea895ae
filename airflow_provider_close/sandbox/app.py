"""The sandbox ASGI app: Close's routes under ``/api/v1`` wrapped in the traffic layers.

Layers, outermost first, all pure ASGI: request log -> faults/latency -> auth -> rate limit ->
routes. ``/_sandbox/`` control routes bypass every layer; other paths answer
``404 {"error": ...}``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_close.sandbox.auth import AuthMiddleware, Credentials
from airflow_provider_close.sandbox.config import API_PREFIX, api_path, is_api_path

__all__ = ["FAULT_SCOPE_KEY", "AppParts", "RequestLog", "RequestRecord", "build_app"]

CONTROL_PREFIX = "/_sandbox/"
FAULT_SCOPE_KEY = "sandbox.fault"


class RequestRecord(NamedTuple):
    """One API request as the sandbox saw it.

    ``path`` is relative to ``/api/v1`` (``"/lead/"``); ``status`` is what the client received
    (None if the connection was dropped); ``fault`` is the injected fault kind, if any.
    """

    method: str
    path: str
    query: str
    status: int | None
    fault: str | None


class RequestLog:
    """A thread-safe, append-only log of API requests."""

    def __init__(self) -> None:
        """Create an empty log."""
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        """Add one record.

        :param record: the record.
        """
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        """Return a copy of the records, oldest first."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()


class RequestLogMiddleware:
    """Pure-ASGI middleware appending a :class:`RequestRecord` per HTTP request."""

    def __init__(self, app: ASGIApp, log: RequestLog) -> None:
        """Wrap ``app``.

        :param app: the inner ASGI app.
        :param log: where records go.
        """
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and record what the client received.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status: int | None = None

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.log.append(_record_of(scope, status))


def _record_of(scope: Scope, status: int | None) -> RequestRecord:
    """Return the log record for a finished request."""
    return RequestRecord(
        method=str(scope["method"]),
        path=api_path(scope),
        query=bytes(scope.get("query_string", b"")).decode("latin-1"),
        status=status,
        fault=scope.get(FAULT_SCOPE_KEY),
    )


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
    control_routes: list[BaseRoute] = field(default_factory=list)


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
    api: ASGIApp = AuthMiddleware(routes_app, parts.credentials)
    api = RequestLogMiddleware(api, parts.request_log)
    return _Dispatcher(api, _json_404_app(parts.control_routes), _json_404_app([]))
