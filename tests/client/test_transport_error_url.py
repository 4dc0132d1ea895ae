"""A transport error names the URL it tried (host and port: the usual mistake), never a secret."""

from __future__ import annotations

import socket

import pytest

from airflow_provider_close.client import (
    AsyncCloseClient,
    CloseClient,
    CloseTransportError,
    RetryPolicy,
)

KEY = "api_TRANSPORTSENTINEL0123456789"


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sync_transport_error_names_method_and_full_url(closed_port: int) -> None:
    base_url = f"http://127.0.0.1:{closed_port}/api/v1/"
    with (
        CloseClient(api_key=KEY, base_url=base_url, retry=RetryPolicy(max_attempts=1)) as client,
        pytest.raises(CloseTransportError) as info,
    ):
        client.get("lead/", params={"_fields": "id", "query": "secret words"})

    message = str(info.value)
    assert message.startswith(f"GET http://127.0.0.1:{closed_port}/api/v1/lead/: transport error")
    assert info.value.url == f"http://127.0.0.1:{closed_port}/api/v1/lead/"
    assert info.value.path == "lead/"
    assert "secret" not in message
    assert "_fields" not in message
    assert KEY not in message


async def test_async_transport_error_names_the_url_too(closed_port: int) -> None:
    base_url = f"http://127.0.0.1:{closed_port}/api/v1/"
    client = AsyncCloseClient(api_key=KEY, base_url=base_url, retry=RetryPolicy(max_attempts=1))
    async with client:
        with pytest.raises(CloseTransportError) as info:
            await client.get("me/")

    assert f"GET http://127.0.0.1:{closed_port}/api/v1/me/: transport error" in str(info.value)
    assert KEY not in str(info.value)


def test_a_hand_made_transport_error_keeps_the_path_form() -> None:
    error = CloseTransportError("GET", "lead/", "ConnectError", "refused")
    assert str(error) == "GET lead/: transport error ConnectError: refused"
    assert error.url is None
