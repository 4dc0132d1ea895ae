"""The sandbox's listening socket must say TCP so asyncio turns Nagle off on accepted sockets.

With protocol 0, asyncio skips TCP_NODELAY and every response waits ~40 ms for a delayed ACK.
"""

from __future__ import annotations

import socket

from airflow_provider_close.sandbox.uvicorn_thread import _bound_socket


def test_listening_socket_is_declared_tcp() -> None:
    sock = _bound_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
