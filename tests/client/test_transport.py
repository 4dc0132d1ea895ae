"""The asyncio client's transport (``client/transport.py``, ``client/transport_streams.py``).

Over real HTTP against the sandbox (connection reuse, timeouts, refused connections, the
proxies httpx reads from the environment), and against tiny loopback servers where the
sandbox cannot do what is needed (close an idle connection, speak TLS). The pool's
bookkeeping is also checked as a pure unit on fake connections.
"""

from __future__ import annotations

import asyncio
import datetime
import ssl
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest

from airflow_provider_close.client import AsyncCloseClient, CloseUnknownOutcomeError, RetryPolicy
from airflow_provider_close.client.transport import (
    LinearPool,
    pooled_transport,
    use_linear_pool,
)
from airflow_provider_close.client.transport_streams import AsyncioBackend
from airflow_provider_close.sandbox import CloseSandbox, Fault

ONE_TRY = RetryPolicy(max_attempts=1, max_total_wait=1.0)


class CountingBackend(AsyncioBackend):
    """Counts the TCP connections it opens."""

    def __init__(self) -> None:
        self.connects = 0

    async def connect_tcp(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        self.connects += 1
        return await super().connect_tcp(*args, **kwargs)


async def concurrent_gets(client: httpx.AsyncClient, n: int) -> None:
    responses = await asyncio.gather(*(client.get("me/") for _ in range(n)))
    assert all(r.status_code == 200 for r in responses)


async def test_the_client_pools_connections_on_a_linear_pool(sandbox: CloseSandbox) -> None:
    async with AsyncCloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        assert isinstance(client._http._transport._pool, LinearPool)  # type: ignore[attr-defined]
        assert (await client.get("me"))["id"].startswith("user_")


async def test_every_connection_is_kept_alive_and_reused(sandbox: CloseSandbox) -> None:
    """30 requests in flight open 30 connections once; the next 30 reuse them all.

    httpx's default keeps 20 alive: the second round would open at least 10 more.
    """
    sandbox.set_latency(100)  # so that the 30 requests are in flight together
    backend = CountingBackend()
    async with httpx.AsyncClient(
        base_url=sandbox.api_url,
        auth=(sandbox.api_key, ""),
        transport=pooled_transport(network_backend=backend),
    ) as client:
        await concurrent_gets(client, 30)
        first = backend.connects
        await concurrent_gets(client, 30)
    assert 1 < first <= 30
    assert backend.connects == first


async def test_proxies_from_the_environment_still_apply(
    sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client keeps httpx's proxy mounts: a proxy that refuses connections is used."""
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{await refused_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with AsyncCloseClient(
        api_key=sandbox.api_key, base_url=sandbox.api_url, retry=ONE_TRY
    ) as client:
        with pytest.raises(Exception, match="ConnectError"):
            await client.get("me")
    assert sandbox.requests == []


async def test_read_timeout_on_get_is_retried(sandbox: CloseSandbox) -> None:
    sandbox.add_fault(Fault("slow", method="GET", path="/me/", times=1, delay_ms=1500))
    async with AsyncCloseClient(
        api_key=sandbox.api_key, base_url=sandbox.api_url, timeout=0.2, sleep=no_sleep
    ) as client:
        assert (await client.get("me"))["id"].startswith("user_")
        assert client.stats.retries == 1
    assert len(sandbox.requests) == 2


async def test_read_timeout_on_post_is_an_unknown_outcome(sandbox: CloseSandbox) -> None:
    sandbox.add_fault(Fault("slow", method="POST", path="/lead/", times=1, delay_ms=1500))
    async with AsyncCloseClient(
        api_key=sandbox.api_key, base_url=sandbox.api_url, timeout=0.2, sleep=no_sleep
    ) as client:
        with pytest.raises(CloseUnknownOutcomeError, match="ReadTimeout"):
            await client.post("lead", {"name": "Slow"})


async def test_a_refused_connection_is_a_connect_error() -> None:
    async with AsyncCloseClient(
        api_key="k", base_url=f"http://127.0.0.1:{await refused_port()}/api/v1/", retry=ONE_TRY
    ) as client:
        with pytest.raises(Exception) as excinfo:
            await client.get("me")
    assert getattr(excinfo.value, "cause_type", None) == "ConnectError"


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    """The server answers, then closes the connection: the next request opens a new one.

    Were the idle connection not seen as closed, the next request would be sent on it and
    fail (``RemoteProtocolError``: the server disconnected).
    """
    closed = asyncio.Event()

    async def answer_then_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        closed.set()

    server = await asyncio.start_server(answer_then_close, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    backend = CountingBackend()
    async with (
        server,
        httpx.AsyncClient(transport=pooled_transport(network_backend=backend)) as client,
    ):
        for _ in range(3):
            closed.clear()
            assert (await client.get(f"http://127.0.0.1:{port}/")).json() == {}
            await closed.wait()
            await until(lambda: all(c.has_expired() for c in pool_of(client).connections))
    assert backend.connects == 3


async def test_tls_over_asyncio_streams(tmp_path: Path) -> None:
    """The backend's TLS upgrade: a request over https to a loopback server with its own CA."""
    server_context, client_context = tls_contexts(tmp_path)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{"tls": 1}\n')
        await writer.drain()
        await reader.read()  # until the client closes
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    transport = httpx.AsyncHTTPTransport(verify=client_context)
    assert use_linear_pool(transport)
    async with server, httpx.AsyncClient(transport=transport) as client:
        response = await client.get(f"https://localhost:{port}/")
        stream = response.extensions["network_stream"]
        assert stream.get_extra_info("ssl_object").version().startswith("TLS")
    assert response.json() == {"tls": 1}
    assert stream.get_extra_info("ssl_object") is None  # closed


def test_other_transports_are_left_alone() -> None:
    assert not use_linear_pool(httpx.MockTransport(lambda _request: httpx.Response(200)))
    assert not use_linear_pool(httpx.AsyncHTTPTransport(http2=False, proxy="http://p.invalid"))


async def test_an_untested_httpcore_keeps_its_own_pool_and_the_client_still_works(
    sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(httpcore, "__version__", "1.1.0")
    async with AsyncCloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert type(pool) is httpcore.AsyncConnectionPool
        assert (await client.get("me"))["id"].startswith("user_")


def test_a_pool_without_the_settings_read_is_left_alone() -> None:
    transport = httpx.AsyncHTTPTransport()
    del transport._pool._socket_options  # as if httpcore kept it elsewhere
    assert not use_linear_pool(transport)
    assert type(transport._pool) is httpcore.AsyncConnectionPool


# --- per-request costs of AsyncCloseClient -------------------------------------------------


async def test_the_redactor_is_built_only_for_a_failure(
    sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with AsyncCloseClient(
        api_key=sandbox.api_key, base_url=sandbox.api_url, retry=ONE_TRY
    ) as client:
        built: list[object] = []
        real = client.auth.redactor

        def counted() -> Any:
            built.append(1)
            return real()

        monkeypatch.setattr(client.auth, "redactor", counted)
        for n in range(3):
            await client.post("lead", {"name": f"Lead {n}"})
        assert built == []
        with pytest.raises(Exception, match="404"):
            await client.get("lead/lead_missing")
        assert built == [1]


async def test_one_absolute_url_per_path(sandbox: CloseSandbox) -> None:
    async with AsyncCloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        for n in range(3):
            await client.post("lead", {"name": f"Lead {n}"})
        page = await client.get("lead", {"_limit": 2})
        assert client._url_of.cache_info().misses == 1  # "lead/", joined once
        assert client._url_of.cache_info().hits == 3
    assert len(page["data"]) == 2
    assert [(r.method, r.path, r.query) for r in sandbox.requests][-2:] == [
        ("POST", "/lead/", ""),
        ("GET", "/lead/", "_limit=2"),
    ]


# --- the pool's bookkeeping, as a pure unit on fake connections ---------------------------

ORIGIN = httpcore.URL("http://close.test/").origin


class FakeConnection:
    """An HTTP/1.1 connection's state as the pool sees it."""

    def __init__(self, state: str = "idle") -> None:
        self.state = state

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        return origin == ORIGIN

    def is_available(self) -> bool:
        return self.state == "idle"

    def is_idle(self) -> bool:
        return self.state in ("idle", "expired")

    def is_closed(self) -> bool:
        return self.state == "closed"

    def has_expired(self) -> bool:
        return self.state == "expired"


def fake_pool(connections: list[FakeConnection], requests: int, maximum: int = 10) -> Any:
    pool: Any = LinearPool(max_connections=maximum)
    pool._connections = list(connections)
    pool._requests = [
        httpcore._async.connection_pool.AsyncPoolRequest(
            httpcore.Request("GET", "http://close.test/")
        )
        for _ in range(requests)
    ]
    pool.create_connection = lambda _origin: FakeConnection("new")
    return pool


async def test_one_idle_connection_goes_to_one_queued_request() -> None:
    """httpcore's own gives it to both; the second then fails and goes round again."""
    idle = FakeConnection()
    pool = fake_pool([idle], requests=2, maximum=1)
    assert pool._assign_requests_to_connections() == []
    assert [r.connection for r in pool._requests] == [idle, None]


async def test_a_connection_held_by_a_request_not_yet_sending_is_not_offered_again() -> None:
    idle = FakeConnection()
    pool = fake_pool([idle], requests=1)
    pool._assign_requests_to_connections()
    pool._requests.append(
        httpcore._async.connection_pool.AsyncPoolRequest(
            httpcore.Request("GET", "http://close.test/")
        )
    )
    pool._assign_requests_to_connections()
    first, second = (r.connection for r in pool._requests)
    assert first is idle
    assert second is not idle
    assert second.state == "new"


async def test_closed_expired_and_surplus_connections_leave_the_pool() -> None:
    closed, expired = FakeConnection("closed"), FakeConnection("expired")
    busy = FakeConnection("busy")
    idle = [FakeConnection(), FakeConnection()]
    pool = fake_pool([closed, busy, *idle, expired], requests=0, maximum=2)
    closing = pool._assign_requests_to_connections()
    assert closing == [expired, idle[0]]  # then one idle too many for a keep-alive of 2
    assert pool._connections == [busy, idle[1]]


async def test_a_full_pool_replaces_an_idle_connection_of_another_origin() -> None:
    class Elsewhere(FakeConnection):
        def can_handle_request(self, origin: httpcore.Origin) -> bool:
            return False

    other, busy = Elsewhere(), FakeConnection("busy")
    pool = fake_pool([other, busy], requests=2, maximum=2)
    closing = pool._assign_requests_to_connections()
    assert closing == [other]
    assert pool._requests[0].connection.state == "new"
    assert pool._requests[1].connection is None  # queued until a connection frees up


# --- helpers --------------------------------------------------------------------------


async def no_sleep(_seconds: float) -> None:
    return None


async def refused_port() -> int:
    server = await asyncio.start_server(lambda _reader, _writer: None, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    server.close()
    await server.wait_closed()
    return port


def pool_of(client: httpx.AsyncClient) -> httpcore.AsyncConnectionPool:
    pool = client._transport._pool  # type: ignore[attr-defined]
    assert isinstance(pool, LinearPool)
    return pool


async def until(condition: Any, tries: int = 1000) -> None:
    """Let the event loop run until ``condition()`` holds (it reads what has arrived)."""
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


def tls_contexts(folder: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """Return (server, client) contexts: a self-signed certificate for localhost, trusted."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_path, key_path)
    client = ssl.create_default_context(cafile=str(cert_path))
    return server, client
