"""The asyncio client's HTTP transport: httpx's own, with pool bookkeeping linear in its size.

httpcore's connection pool re-examines every connection each time a request arrives or an
answer is closed, and for each idle one it also counts the whole pool again (quadratic in the
connections), asking the socket whether it is readable through anyio's extra-attribute
mapping (a dict of callables and a ``getpeername`` call each time). With tens of rows in
flight that bookkeeping cost more CPU than the rest of a row's work. Its keep-alive default
(20 of 100 connections) also closed most connections after one answer when more were in use,
so the next request paid a new TCP handshake.

:func:`use_linear_pool` keeps the transport httpx built (TLS settings, exception mapping,
streaming unchanged; proxies from the environment stay httpx's own mounts, untouched) and
swaps in :class:`LinearPool`: the same decisions in one pass over the connections, its
sockets opened by :mod:`.transport_streams` (asyncio streams, no anyio). With
:data:`POOL_LIMITS` every connection is kept alive. HTTP/1.1 only (as the client always was).
"""

from __future__ import annotations

import httpcore
import httpx

from airflow_provider_close.client.transport_streams import AsyncioBackend

__all__ = ["POOL_LIMITS", "TESTED_HTTPCORE", "LinearPool", "pooled_transport", "use_linear_pool"]

#: The httpcore versions whose pool internals :func:`use_linear_pool` reads (others: untouched).
TESTED_HTTPCORE = "1.0."
#: Connections open at most (httpx's default).
MAX_CONNECTIONS = 100


#: The limits the client's transport is built with: every connection kept alive.
POOL_LIMITS = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=None)


def pooled_transport(
    *, network_backend: httpcore.AsyncNetworkBackend | None = None
) -> httpx.AsyncHTTPTransport:
    """Return httpx's asyncio transport built with :data:`POOL_LIMITS` and a :class:`LinearPool`.

    :param network_backend: opens the sockets (default: :class:`.AsyncioBackend`).
    """
    transport = httpx.AsyncHTTPTransport(limits=POOL_LIMITS)
    use_linear_pool(transport, network_backend=network_backend)
    return transport


def use_linear_pool(
    transport: httpx.AsyncBaseTransport,
    *,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
) -> bool:
    """Give httpx's own transport a :class:`LinearPool` with its pool's settings; say if it did.

    Anything else (a test's ``MockTransport``, an HTTP/2 pool, a proxy's pool, an httpcore
    other than :data:`TESTED_HTTPCORE`) is left as it is: it works as httpx's own does.

    :param transport: the transport an ``httpx.AsyncClient`` built (or was given).
    :param network_backend: opens the sockets (default: :class:`.AsyncioBackend`).
    """
    if not httpcore.__version__.startswith(TESTED_HTTPCORE):
        return False  # the pool's internals below are those of the versions tested
    pool = getattr(transport, "_pool", None)
    try:
        if type(pool) is not httpcore.AsyncConnectionPool or pool._http2 or pool._proxy:
            return False
        linear = LinearPool(
            ssl_context=pool._ssl_context,
            max_connections=pool._max_connections,
            max_keepalive_connections=pool._max_keepalive_connections,
            keepalive_expiry=pool._keepalive_expiry,
            retries=pool._retries,
            local_address=pool._local_address,
            uds=pool._uds,
            network_backend=network_backend or AsyncioBackend(),
            socket_options=pool._socket_options,
        )
    except AttributeError:  # an httpcore whose pool keeps its settings elsewhere
        return False
    transport._pool = linear  # type: ignore[attr-defined]
    return True


class LinearPool(httpcore.AsyncConnectionPool):
    """httpcore's pool, its bookkeeping one pass over the connections (HTTP/1.1 only)."""

    def _assign_requests_to_connections(self) -> list[httpcore.AsyncConnectionInterface]:
        """Drop closed connections, close expired and surplus idle ones, assign queued requests.

        The decisions of httpcore's own method, in one pass over the connections (each asked
        at most three questions) and one over the requests, except that a connection already
        assigned to a request (in this pass, or an earlier one whose request has not started
        sending) is neither offered to another request nor closed as surplus: httpcore's
        offered it again, and all but one of the requests it was given to then failed with
        ``ConnectionNotAvailable`` and went round again (about five extra passes per request
        with tens in flight). HTTP/1.1: a connection is available exactly when it is idle,
        and only an idle one can expire.
        """
        held = {id(r.connection) for r in self._requests if r.connection is not None}
        closing: list[httpcore.AsyncConnectionInterface] = []
        kept: list[httpcore.AsyncConnectionInterface] = []
        free: list[httpcore.AsyncConnectionInterface] = []  # idle, and no request holds it
        for connection in self._connections:
            if connection.is_closed():
                continue
            if connection.is_idle():
                if connection.has_expired():
                    closing.append(connection)
                    continue
                if id(connection) not in held:
                    free.append(connection)
            kept.append(connection)
        surplus = len(kept) - self._max_keepalive_connections
        if surplus > 0:
            closing += free[:surplus]
            kept = [c for c in kept if c not in free[:surplus]]
            free = free[surplus:]
        self._connections[:] = kept
        for pool_request in (r for r in self._requests if r.is_queued()):
            origin = pool_request.request.url.origin
            reusable = next((c for c in free if c.can_handle_request(origin)), None)
            if reusable is not None:
                free.remove(reusable)
                pool_request.assign_to_connection(reusable)
                continue
            if len(self._connections) >= self._max_connections:
                if not free:
                    continue
                replaced = free.pop(0)
                self._connections.remove(replaced)
                closing.append(replaced)
            connection = self.create_connection(origin)
            self._connections.append(connection)
            pool_request.assign_to_connection(connection)
        return closing
