"""uvicorn serving the sandbox app in a daemon thread, able to drop a connection for real.

A "dropped connection" fault must look like one to a client: the TCP connection closes with no
response (httpx raises ``RemoteProtocolError``), never a 500. uvicorn's h11 protocol is
subclassed to remember each connection's transport by client address, so a fault can close it.
uvicorn is imported only when a server starts.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

from starlette.types import ASGIApp, Scope

__all__ = ["ConnectionRegistry", "ServerThread"]

_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0


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
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only when the listening
    # socket says TCP; without it Nagle plus delayed ACKs add ~40 ms to every response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class ServerThread:
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
            proxy_headers=False,
            server_header=False,
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
