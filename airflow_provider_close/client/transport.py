"""The asyncio client's HTTP transport: httpx's own, with pool bookkeeping linear in its size.

httpcore's connection pool re-examines every connection each time a request arrives or an
answer is closed, and for each idle one it also counts the whole pool again (quadratic in the
connections), asking the socket whether it is readable through anyio's extra-attribute
mapping (a dict of callables and a ``getpeername`` call each time). With tens of rows in
flight that bookkeeping cost more CPU than the rest of a row's work. Its keep-alive default
(20 of 100 connections) also closed most connections after one answer when more were in use,
so the next request paid a new TCP handshake.

:func:`pooled_transport` keeps httpx's transport (TLS, proxies from the environment,
exception mapping, streaming all unchanged) and swaps in :class:`LinearPool`: the same
decisions in one pass over the connections, every connection kept alive, and streams whose
``is_readable`` polls the socket they were opened on. HTTP/1.1 only (as the client always
was).
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

__all__ = ["LinearPool", "pooled_transport"]

#: Connections open at most; every one is kept alive between requests.
MAX_CONNECTIONS = 100


def pooled_transport(max_connections: int = MAX_CONNECTIONS) -> httpx.AsyncHTTPTransport:
    """Return httpx's asyncio transport with a :class:`LinearPool` of ``max_connections``.

    :param max_connections: connections open (and kept alive) at most.
    """
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        )
    )
    default = transport._pool
    assert isinstance(default, httpcore.AsyncConnectionPool)
    transport._pool = LinearPool(
        ssl_context=default._ssl_context,
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=default._keepalive_expiry,
        network_backend=_ReadableBackend(httpcore.AnyIOBackend()),
    )
    return transport


class LinearPool(httpcore.AsyncConnectionPool):
    """httpcore's pool, its bookkeeping one pass over the connections (HTTP/1.1 only)."""

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        """Drop closed connections, close expired and surplus idle ones, assign queued requests.

        The decisions of httpcore's own method, in time linear in the connections and the
        requests, except that an HTTP/1.1 connection already assigned to a request (in this
        pass or an earlier one whose request has not started sending) is not offered to
        another: httpcore's would offer it, and all but one of the requests it was given to
        then failed with ``ConnectionNotAvailable`` and went round again (about five extra
        passes per request with tens in flight).
        """
        closing: list[httpcore.AsyncConnectionInterface] = []
        kept: list[httpcore.AsyncConnectionInterface] = []
        for connection in self._connections:
            if connection.is_closed():
                continue
            if connection.has_expired():
                closing.append(connection)
            else:
                kept.append(connection)
        surplus = len(kept) - self._max_keepalive_connections
        if surplus > 0:
            for connection in [c for c in kept if c.is_idle()][:surplus]:
                kept.remove(connection)
                closing.append(connection)
        self._connections[:] = kept
        held = {id(r.connection) for r in self._requests if r.connection is not None}
        available = [c for c in kept if c.is_available() and id(c) not in held]
        idle = [c for c in kept if c.is_idle() and id(c) not in held]
        for pool_request in (r for r in self._requests if r.is_queued()):
            origin = pool_request.request.url.origin
            reusable = next((c for c in available if c.can_handle_request(origin)), None)
            if reusable is not None:
                available.remove(reusable)
                if reusable in idle:
                    idle.remove(reusable)
                pool_request.assign_to_connection(reusable)
                continue
            if len(self._connections) >= self._max_connections:
                if not idle:
                    continue
                replaced = idle.pop(0)
                if replaced in available:
                    available.remove(replaced)
                self._connections.remove(replaced)
                closing.append(replaced)
            connection = self.create_connection(origin)
            self._connections.append(connection)
            pool_request.assign_to_connection(connection)
        return closing


class _ReadableStream(httpcore.AsyncNetworkStream):
    """A network stream whose ``is_readable`` polls the socket it was opened on."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        return _ReadableStream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return _is_readable(self._socket)
        return self._inner.get_extra_info(info)


class _ReadableBackend(httpcore.AsyncNetworkBackend):
    """Opens the inner backend's streams as :class:`_ReadableStream`."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        stream = await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        return _ReadableStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _ReadableStream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _is_readable(sock: socket.socket | None) -> bool:
    """Return whether a read would not block (data or end of stream); a closed socket is."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([fd], [], [], 0)[0])
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
