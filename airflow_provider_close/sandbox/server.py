"""``CloseSandbox``: the emulated Close API served by uvicorn on a loopback port in a thread.

uvicorn is imported only when a sandbox starts, so importing the package stays cheap.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Scope

from airflow_provider_close.sandbox.app import AppParts, RequestLog, RequestRecord, build_app
from airflow_provider_close.sandbox.auth import Credentials
from airflow_provider_close.sandbox.clock import SandboxClock
from airflow_provider_close.sandbox.config import new_access_token, new_api_key

if TYPE_CHECKING:
    from airflow_provider_close.sandbox.limits import PageLimits
    from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["CloseSandbox", "Resources", "load_resources"]

_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Resources:
    """The Close resource layer the server wraps (state, page limits, seeds, routes)."""

    new_state: Callable[[Callable[[], Any], PageLimits], SandboxState]
    page_limits: Callable[[dict[str, int] | None, dict[str, int] | None], PageLimits]
    seeds: dict[str, Callable[[SandboxState], None]]
    close_routes: Callable[[SandboxState], list[BaseRoute]]


def load_resources() -> Resources:
    """Import and return the resource layer (``state``, ``limits``, ``seed``, ``routes``)."""
    from airflow_provider_close.sandbox.limits import PageLimits
    from airflow_provider_close.sandbox.routes import close_routes
    from airflow_provider_close.sandbox.seed import seed_demo
    from airflow_provider_close.sandbox.state import SandboxState

    return Resources(
        new_state=lambda now, limits: SandboxState(now=now, limits=limits),
        page_limits=lambda max_limit, max_skip: PageLimits.defaults(
            max_limit=max_limit, max_skip=max_skip
        ),
        seeds={"demo": seed_demo},
        close_routes=close_routes,
    )


class ConnectionRegistry:
    """Open HTTP connections by client address, so a fault can drop one for real.

    Used only from the server's event-loop thread.
    """

    def __init__(self) -> None:
        """Create an empty registry."""
        self._transports: dict[tuple[str, int], asyncio.BaseTransport] = {}

    def add(self, client: tuple[str, int], transport: asyncio.BaseTransport) -> None:
        """Remember the transport of a new connection.

        :param client: the client's (host, port).
        :param transport: the connection's transport.
        """
        self._transports[client] = transport

    def discard(self, client: tuple[str, int]) -> None:
        """Forget a closed connection.

        :param client: the client's (host, port).
        """
        self._transports.pop(client, None)

    async def drop(self, scope: Scope) -> bool:
        """Close the request's TCP connection without answering; return whether it was found.

        :param scope: the ASGI scope of the request.
        """
        client = scope.get("client")
        transport = self._transports.get(tuple(client)) if client else None
        if transport is None:
            return False
        transport.close()
        # Let the protocol see connection_lost before the app returns, so uvicorn treats the
        # request as disconnected instead of answering 500.
        for _ in range(3):
            await asyncio.sleep(0)
        return True


def _protocol_class(registry: ConnectionRegistry) -> type[asyncio.Protocol]:
    """Return uvicorn's h11 protocol, registering each connection in ``registry``."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class SandboxH11Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if self.client is not None:
                registry.add(self.client, transport)

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client is not None:
                registry.discard(self.client)
            super().connection_lost(exc)

    return SandboxH11Protocol


def _bound_socket(host: str, port: int) -> socket.socket:
    """Return a socket bound to ``host:port`` (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class _ServerThread:
    """uvicorn serving one app in a daemon thread."""

    def __init__(self, app: ASGIApp, registry: ConnectionRegistry) -> None:
        self._app = app
        self._registry = registry
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self, host: str, port: int) -> int:
        """Start serving and return the bound port once uvicorn is accepting."""
        import uvicorn

        sock = _bound_socket(host, port)
        config = uvicorn.Config(
            self._app,
            log_level="warning",
            access_log=False,
            http=_protocol_class(self._registry),
            ws="none",
            lifespan="off",
            loop="asyncio",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="close-sandbox", daemon=True
        )
        self._thread.start()
        self._wait_started()
        return int(sock.getsockname()[1])

    def _wait_started(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not self._server.started:
            if self._thread is None or not self._thread.is_alive():
                raise RuntimeError("the Close sandbox server failed to start")
            if time.monotonic() > deadline:
                raise RuntimeError("the Close sandbox server did not start in time")
            time.sleep(0.002)

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(_STOP_TIMEOUT_S)
        self._server = None
        self._thread = None


class CloseSandbox:
    """A stateful emulation of the Close REST API on loopback, used as a context manager.

    ``with CloseSandbox(seed="demo") as sb:`` then point a client at ``sb.api_url`` with
    ``sb.api_key``. See ``COVERAGE.md`` for what is emulated.
    """

    def __init__(
        self,
        *,
        seed: str | None = None,
        api_key: str | None = None,
        api_keys: Iterable[str] = (),
        access_tokens: Iterable[str] = (),
        max_skip: dict[str, int] | None = None,
        max_limit: dict[str, int] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """Configure a sandbox (nothing is started until ``start()`` / ``with``).

        :param seed: data to load at start and on ``reset()``: ``"demo"`` or None (empty).
        :param api_key: the main accepted API key (random and Close-shaped if None).
        :param api_keys: extra accepted API keys (each is rate-limited separately).
        :param access_tokens: accepted OAuth Bearer tokens (one more is generated).
        :param max_skip: per-resource ``_skip`` maxima overriding the defaults.
        :param max_limit: per-resource ``_limit`` maxima overriding the defaults.
        :param host: the interface to bind (loopback by default).
        :param port: the port to bind (0 picks a free one).
        """
        self._resources = load_resources()
        self._check_seed(seed)
        self._seed = seed
        self._max_skip, self._max_limit = max_skip, max_limit
        self._host, self._port = host, port
        self.api_key = api_key or new_api_key()
        self.access_token = new_access_token()
        self.credentials = Credentials(
            [self.api_key, *api_keys], [self.access_token, *access_tokens]
        )
        self.clock = SandboxClock()
        self.state = self._resources.new_state(self.clock.now, self._configured_page_limits())
        self._request_log = RequestLog()
        self._registry = ConnectionRegistry()
        self._server: _ServerThread | None = None
        self._load_seed(seed)

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> CloseSandbox:
        """Start serving (returns once the port accepts connections)."""
        if self._server is not None:
            raise RuntimeError("the Close sandbox is already running")
        server = _ServerThread(self._build_app(), self._registry)
        self._port = server.start(self._host, self._port)
        self._server = server
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> CloseSandbox:
        """Start the sandbox."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the sandbox."""
        self.stop()

    # addresses ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Return the host root, e.g. ``http://127.0.0.1:PORT`` (the API is under /api/v1/)."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def api_url(self) -> str:
        """Return the API base URL, e.g. ``http://127.0.0.1:PORT/api/v1/``."""
        return f"{self.url}/api/v1/"

    # inspection and control --------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """Return a copy of the API requests seen since the last reset, oldest first."""
        return self._request_log.records()

    def reset(self, seed: str | None = None) -> None:
        """Wipe state and traffic settings back to how the sandbox was configured.

        :param seed: data to load afterwards (``"demo"``), or None for an empty organisation.
        """
        self._check_seed(seed)
        self.clock.reset()
        self.state.reset()
        self.state.limits = self._configured_page_limits()
        self._request_log.clear()
        self._load_seed(seed)

    def set_limits(
        self, max_limit: dict[str, int] | None = None, max_skip: dict[str, int] | None = None
    ) -> None:
        """Replace the page-size and skip maxima (per resource) until the next reset.

        :param max_limit: per-resource ``_limit`` maxima overriding the defaults.
        :param max_skip: per-resource ``_skip`` maxima overriding the defaults.
        """
        self.state.limits = self._resources.page_limits(max_limit, max_skip)

    # internals ---------------------------------------------------------------------------
    def _configured_page_limits(self) -> PageLimits:
        return self._resources.page_limits(self._max_limit, self._max_skip)

    def _check_seed(self, seed: str | None) -> None:
        if seed is not None and seed not in self._resources.seeds:
            known = ", ".join(sorted(self._resources.seeds))
            raise ValueError(f"unknown sandbox seed {seed!r} (known: {known})")

    def _load_seed(self, seed: str | None) -> None:
        if seed is not None:
            self._resources.seeds[seed](self.state)

    def _build_app(self) -> ASGIApp:
        parts = AppParts(
            close_routes=self._resources.close_routes(self.state),
            credentials=self.credentials,
            request_log=self._request_log,
        )
        return build_app(parts)
