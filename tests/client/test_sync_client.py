"""CloseClient against the sandbox over real HTTP: CRUD, 429s, 5xx, drops, timeouts."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from airflow_provider_close.client import (
    CloseAuthError,
    CloseClient,
    CloseNotFoundError,
    CloseRateLimitError,
    CloseServerError,
    CloseTransportError,
    CloseUnknownOutcomeError,
    CloseValidationError,
    RetryPolicy,
    no_jitter,
)
from airflow_provider_close.sandbox import CloseSandbox, Fault


def lead_posts(sandbox: CloseSandbox) -> int:
    return sum(1 for r in sandbox.requests if r.method == "POST" and r.path == "/lead/")


def test_crud_round_trip(client: CloseClient) -> None:
    lead = client.post("lead", {"name": "Acme Rockets"})
    assert client.get(f"lead/{lead['id']}", fields=["id", "name"]) == {
        "id": lead["id"],
        "name": "Acme Rockets",
    }
    assert client.put(f"/lead/{lead['id']}/", {"description": "boom"})["description"] == "boom"
    assert client.delete(f"lead/{lead['id']}") == {}
    with pytest.raises(CloseNotFoundError) as excinfo:
        client.get(f"lead/{lead['id']}")
    assert excinfo.value.path == f"lead/{lead['id']}/"
    assert str(excinfo.value).startswith(f"GET lead/{lead['id']}/: 404")


def test_validation_error_carries_close_nested_field_errors(client: CloseClient) -> None:
    lead = client.post("lead", {"name": "Acme"})
    with pytest.raises(CloseValidationError) as excinfo:
        client.post("contact", {"lead_id": lead["id"], "phones": [{"phone": "not a phone"}]})
    error = excinfo.value
    assert error.status == 400
    assert error.errors == []
    phone = error.field_errors["phones"]["errors"]["0"]["field-errors"]["phone"]
    assert phone == "Invalid phone number."


def test_wrong_key_is_an_auth_error(make_client: Callable[..., CloseClient]) -> None:
    with pytest.raises(CloseAuthError) as excinfo:
        make_client(api_key="sk_wrong").get("me")
    assert excinfo.value.status == 401


@pytest.mark.parametrize(
    ("kind", "retry_after"), [("rate_limit", 2.0), ("rate_limit_no_body", 3.0)]
)
def test_429_waits_what_the_server_said(
    client: CloseClient, sandbox: CloseSandbox, sleeps: list[float], kind: str, retry_after: float
) -> None:
    sandbox.add_fault(Fault(kind, method="GET", path="/me/", times=1, retry_after=retry_after))  # type: ignore[arg-type]
    assert client.get("me")["id"].startswith("user_")
    assert sleeps == [retry_after]
    assert [r.status for r in sandbox.requests] == [429, 200]
    assert (client.stats.rate_limited, client.stats.retries) == (1, 1)


def test_post_429_is_retried_and_applied_once(
    client: CloseClient, sandbox: CloseSandbox, sleeps: list[float]
) -> None:
    sandbox.add_fault(Fault("rate_limit", method="POST", path="/lead/", times=2, retry_after=1))
    client.post("lead", {"name": "Once"})
    # the two Retry-After waits; anything else is the throttle's edge margin past a reset
    assert [s for s in sleeps if s >= 0.5] == [1.0, 1.0]
    assert all(s < 0.05 for s in sleeps if s < 0.5)
    assert len(client.get("lead")["data"]) == 1
    assert lead_posts(sandbox) == 3


def test_429_exhausted_raises_the_rate_limit_error(
    client: CloseClient, sandbox: CloseSandbox, sleeps: list[float]
) -> None:
    sandbox.add_fault(Fault("rate_limit", method="GET", path="/me/", retry_after=1))
    with pytest.raises(CloseRateLimitError) as excinfo:
        client.get("me")
    assert excinfo.value.retry_after == 1.0
    # 429s use none of TEST_POLICY's 4 attempts: waited out until its max_total_wait (60 s)
    assert len(sandbox.requests) == 61
    assert sleeps == [1.0] * 60


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_on_get_is_retried(
    client: CloseClient, sandbox: CloseSandbox, sleeps: list[float], status: int
) -> None:
    sandbox.add_fault(Fault("server_error", method="GET", path="/me/", times=2, status=status))
    assert client.get("me")["id"].startswith("user_")
    assert [r.status for r in sandbox.requests] == [status, status, 200]
    assert sleeps == [0.5, 1.0]  # exponential backoff


def test_5xx_exhausted_raises_the_server_error(client: CloseClient, sandbox: CloseSandbox) -> None:
    sandbox.add_fault(Fault("server_error", method="GET", path="/me/", status=503))
    with pytest.raises(CloseServerError) as excinfo:
        client.get("me")
    assert excinfo.value.status == 503
    assert len(sandbox.requests) == 4


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_on_post_is_never_resent(
    client: CloseClient, sandbox: CloseSandbox, sleeps: list[float], status: int
) -> None:
    sandbox.add_fault(Fault("server_error", method="POST", path="/lead/", times=1, status=status))
    with pytest.raises(CloseUnknownOutcomeError) as excinfo:
        client.post("lead", {"name": "Maybe"})
    assert lead_posts(sandbox) == 1
    assert sleeps == []
    assert (excinfo.value.method, excinfo.value.path, excinfo.value.status) == (
        "POST",
        "lead/",
        status,
    )
    assert isinstance(excinfo.value.__cause__, CloseServerError)


@pytest.mark.parametrize("kind", ["drop_before", "drop_after"])
def test_dropped_connection_on_get_is_retried(
    client: CloseClient, sandbox: CloseSandbox, kind: str
) -> None:
    sandbox.add_fault(Fault(kind, method="GET", path="/me/", times=1))  # type: ignore[arg-type]
    assert client.get("me")["id"].startswith("user_")
    assert [r.status for r in sandbox.requests] == [None, 200]


@pytest.mark.parametrize(("kind", "applied"), [("drop_before", 0), ("drop_after", 1)])
def test_dropped_connection_on_post_is_an_unknown_outcome(
    client: CloseClient, sandbox: CloseSandbox, kind: str, applied: int
) -> None:
    sandbox.add_fault(Fault(kind, method="POST", path="/lead/", times=1))  # type: ignore[arg-type]
    with pytest.raises(CloseUnknownOutcomeError) as excinfo:
        client.post("lead", {"name": "Maybe"})
    assert lead_posts(sandbox) == 1
    assert excinfo.value.__cause__ is not None
    assert len(client.get("lead")["data"]) == applied


def test_read_timeout_on_get_is_retried(
    make_client: Callable[..., CloseClient], sandbox: CloseSandbox
) -> None:
    client = make_client(timeout=0.2)
    sandbox.add_fault(Fault("slow", method="GET", path="/me/", times=1, delay_ms=1500))
    assert client.get("me")["id"].startswith("user_")
    assert len(sandbox.requests) == 2
    assert client.stats.retries == 1


def test_read_timeout_on_post_is_an_unknown_outcome(
    make_client: Callable[..., CloseClient], sandbox: CloseSandbox
) -> None:
    client = make_client(timeout=0.2)
    sandbox.add_fault(Fault("slow", method="POST", path="/lead/", times=1, delay_ms=1500))
    with pytest.raises(CloseUnknownOutcomeError) as excinfo:
        client.post("lead", {"name": "Slow"})
    assert "ReadTimeout" in str(excinfo.value)
    assert lead_posts(sandbox) == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_connect_errors_are_retried_for_every_method(
    make_client: Callable[..., CloseClient], sleeps: list[float], method: str
) -> None:
    client = make_client(base_url=f"http://127.0.0.1:{closed_port()}/api/v1/")
    with pytest.raises(CloseTransportError) as excinfo:
        client.request(method, "lead", json={"name": "x"} if method == "POST" else None)
    assert excinfo.value.cause_type == "ConnectError"
    assert len(sleeps) == 3
    assert client.stats.requests == 4


def test_the_client_slows_down_before_remaining_reaches_zero(
    make_client: Callable[..., CloseClient], sandbox: CloseSandbox
) -> None:
    sandbox.set_rate_limit("me:read", 4, 0.5)
    client = make_client(sleep=time.sleep, retry=RetryPolicy(jitter=no_jitter))
    for _ in range(10):
        client.get("me")
    assert client.stats.rate_limited == 0
    assert client.stats.throttled > 0
    assert client.last_rate_limit is not None
    assert client.last_rate_limit.limit == 4
    reading = client.rate_limit_for("GET", "/me")  # the group of the request, by its path
    assert reading is not None
    assert reading.limit == 4
    assert client.rate_limit_for("POST", "lead/") is None  # no write was answered
