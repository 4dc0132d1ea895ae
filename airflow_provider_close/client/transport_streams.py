"""An httpcore network backend on asyncio's own streams (the asyncio client's sockets).

httpcore's default backend under asyncio goes through anyio: every read and write opens a
cancel scope, and every "is this idle connection still open?" check builds anyio's mapping
of socket attributes (a dict of callables and a ``getpeername`` call). This backend does
the same I/O with ``asyncio.open_connection``, ``asyncio.timeout`` and one ``poll`` on the
socket, and raises httpcore's exceptions, which httpx maps to the same ``httpx`` errors as
before (``ConnectError``, ``ConnectTimeout``, ``ReadError``, ``ReadTimeout``, ``WriteError``,
``WriteTimeout``). asyncio only (``AsyncCloseClient`` already sleeps with ``asyncio.sleep``).
"""

from __future__ import annotations

import asyncio
import select
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore

__all__ = ["AsyncioBackend"]

#: Seconds before trying a host's next address while the first still connects (RFC 8305;
#: anyio's default too): a host whose IPv6 route is dead still connects over IPv4 quickly.
_HAPPY_EYEBALLS_DELAY = 0.25


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Open TCP (or Unix) connections as :class:`_Stream` over asyncio streams."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        local = None if local_address is None else (local_address, 0)
        opening = asyncio.open_connection(
            host, port, local_addr=local, happy_eyeballs_delay=_HAPPY_EYEBALLS_DELAY
        )
        return await _connected(opening, timeout, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        return await _connected(asyncio.open_unix_connection(path), timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connected(
    opening: Any, timeout: float | None, socket_options: Iterable[Any] | None
) -> _Stream:
    """Await ``opening`` within ``timeout``; apply the socket options; return the stream."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await opening
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(str(exc)) from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc)) from exc
    stream = _Stream(reader, writer)
    for option in socket_options or ():
        if stream.raw_socket is not None:
            stream.raw_socket.setsockopt(*option)
    return stream


class _Stream(httpcore.AsyncNetworkStream):
    """One connection: reads, writes, TLS upgrade and ``is_readable``, httpcore's errors."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        sock = writer.get_extra_info("socket")  # asyncio's TransportSocket: no I/O through it
        self.raw_socket: Any = sock
        self._fd = -1 if sock is None else sock.fileno()

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc)) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except (OSError, RuntimeError) as exc:  # RuntimeError: written after close
            raise httpcore.WriteError(str(exc)) from exc

    async def aclose(self) -> None:
        self._writer.close()
        await asyncio.sleep(0)  # asyncio lets go of the socket on the loop's next turn

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (OSError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc)) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._is_readable()
        if info == "socket":
            return self.raw_socket
        if self._writer.is_closing():  # asyncio's closed TLS transport cannot answer
            return None
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        return None

    def _is_readable(self) -> bool:
        """Return whether a read would not block: data, or the end of an idle connection."""
        if self._reader.at_eof() or self._writer.is_closing() or self._fd < 0:
            return True
        if getattr(self._reader, "_buffer", b""):  # asyncio already read it off the socket
            return True
        if not hasattr(select, "poll"):  # Windows
            return bool(select.select([self._fd], [], [], 0)[0])
        poller = select.poll()
        poller.register(self._fd, select.POLLIN)
        return bool(poller.poll(0))
