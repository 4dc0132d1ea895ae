"""Every fault kind and added latency, as a plain httpx client sees them over real HTTP."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox, Fault, RequestRecord
from tests.sandbox.fake_resources import fake_layer

__all__ = ["fake_layer"]

DROPPED = (httpx.RemoteProtocolError, httpx.ReadError)


@pytest.fixture
def sb(fake_layer: None) -> Iterator[CloseSandbox]:
    with CloseSandbox(api_key="key_main") as box:
        yield box


@pytest.fixture
def client(sb: CloseSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.api_url, auth=(sb.api_key, ""), timeout=5) as c:
        yield c


def test_drop_before_closes_the_connection_and_applies_nothing(
    sb: CloseSandbox, client: httpx.Client
) -> None:
    sb.add_fault(Fault("drop_before", method="POST", path="/lead/", times=1))
    with pytest.raises(DROPPED):
        client.post("lead/", json={"name": "Acme"})
    assert sb.state.leads == {}
    assert sb.requests == [RequestRecord("POST", "/lead/", "", None, "drop_before")]
    assert client.post("lead/", json={"name": "Acme"}).status_code == 200
    assert len(sb.state.leads) == 1


def test_drop_after_applies_the_request_then_closes_the_connection(
    sb: CloseSandbox, client: httpx.Client
) -> None:
    sb.add_fault(Fault("drop_after", method="POST", path="/lead/*", times=1))
    with pytest.raises(DROPPED):
        client.post("lead/", json={"name": "Acme"})
    assert [lead["name"] for lead in sb.state.leads.values()] == ["Acme"]
    assert sb.requests[-1] == RequestRecord("POST", "/lead/", "", None, "drop_after")


async def test_drops_are_seen_by_the_async_client_too(sb: CloseSandbox) -> None:
    sb.add_fault(Fault("drop_before", times=1))
    async with httpx.AsyncClient(base_url=sb.api_url, auth=(sb.api_key, "")) as client:
        with pytest.raises(DROPPED):
            await client.get("me/")
        assert (await client.get("me/")).status_code == 200


def test_rate_limit_fault_answers_429_with_headers_and_legacy_body(
    sb: CloseSandbox, client: httpx.Client
) -> None:
    sb.set_rate_limit("default", 600, 15)
    sb.add_fault(Fault("rate_limit", times=1, retry_after=1.5))
    response = client.get("me/")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.headers["RateLimit"] == "limit=600, remaining=0, reset=1.5"
    assert response.json() == {
        "error": {
            "rate_reset": 1.5,
            "message": "API call count exceeded for this 15 second window",
            "rate_limit": 600,
            "rate_window": 15,
        }
    }
    assert sb.requests[-1].fault == "rate_limit"
    assert client.get("me/").status_code == 200


def test_rate_limit_no_body_fault_sends_only_retry_after(
    sb: CloseSandbox, client: httpx.Client
) -> None:
    sb.add_fault(Fault("rate_limit_no_body", times=1, retry_after=3))
    response = client.get("me/")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "3"
    assert "RateLimit" not in response.headers
    assert response.content == b""


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_error_fault_answers_the_status(
    sb: CloseSandbox, client: httpx.Client, status: int
) -> None:
    sb.add_fault(Fault("server_error", status=status, path="/lead/", times=1))
    response = client.post("lead/", json={"name": "Acme"})
    assert response.status_code == status
    assert sb.state.leads == {}
    if status == 500:
        assert response.json() == {"error": "Internal Server Error"}
    else:
        assert response.headers["content-type"].startswith("text/html")


def test_slow_fault_looks_like_a_timeout_to_an_impatient_client(
    sb: CloseSandbox, client: httpx.Client
) -> None:
    sb.add_fault(Fault("slow", delay_ms=400, times=2))
    with pytest.raises(httpx.ReadTimeout):
        client.get("me/", timeout=0.1)
    began = time.monotonic()
    assert client.get("me/").status_code == 200
    assert time.monotonic() - began >= 0.4
    assert [r.fault for r in sb.requests] == ["slow", "slow"]


def test_faults_given_at_start_come_back_on_reset(fake_layer: None) -> None:
    with CloseSandbox(faults=[Fault("server_error", times=1)]) as box:
        auth = (box.api_key, "")
        assert httpx.get(box.api_url + "me/", auth=auth).status_code == 500
        assert httpx.get(box.api_url + "me/", auth=auth).status_code == 200
        box.reset()
        assert httpx.get(box.api_url + "me/", auth=auth).status_code == 500


def test_clear_faults_and_reset_disarm_runtime_faults(
    sb: CloseSandbox, client: httpx.Client
) -> None:
    sb.add_fault(Fault("server_error"))
    assert client.get("me/").status_code == 500
    sb.clear_faults()
    assert client.get("me/").status_code == 200
    sb.add_fault(Fault("server_error"))
    sb.reset()
    assert client.get("me/").status_code == 200


def test_probability_faults_repeat_exactly_across_runs(fake_layer: None) -> None:
    def statuses() -> list[int]:
        fault = Fault("server_error", probability=0.3, seed=11)
        with CloseSandbox(faults=[fault]) as box:
            auth = (box.api_key, "")
            return [httpx.get(box.api_url + "me/", auth=auth).status_code for _ in range(20)]

    first = statuses()
    assert first == statuses()
    assert 500 in first
    assert 200 in first


def test_faults_precede_auth(sb: CloseSandbox) -> None:
    sb.add_fault(Fault("server_error", times=1))
    assert httpx.get(sb.api_url + "me/").status_code == 500


def test_latency_is_added_to_every_api_response(sb: CloseSandbox, client: httpx.Client) -> None:
    sb.set_latency(150)
    began = time.monotonic()
    client.get("me/")
    assert time.monotonic() - began >= 0.15
    sb.reset()
    assert sb.latency_ms == 0


async def test_latency_overlaps_for_concurrent_clients(fake_layer: None) -> None:
    with CloseSandbox(latency_ms=300) as box:
        async with httpx.AsyncClient(base_url=box.api_url, auth=(box.api_key, "")) as client:
            began = time.monotonic()
            responses = await asyncio.gather(*(client.get("me/") for _ in range(8)))
            elapsed = time.monotonic() - began
    assert [r.status_code for r in responses] == [200] * 8
    assert 0.3 <= elapsed < 1.2


def test_reset_drops_requests_still_waiting_so_they_cannot_leak_into_the_next_test(
    sb: CloseSandbox,
) -> None:
    sb.add_fault(Fault("slow", method="POST", delay_ms=2000))
    outcome: list[BaseException | int] = []

    def post() -> None:
        try:
            response = httpx.post(sb.api_url + "lead/", auth=(sb.api_key, ""), json={}, timeout=5)
            outcome.append(response.status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=post)
    worker.start()
    deadline = time.monotonic() + 5  # wait until the request is held by the slow fault
    while not sb.faults[0]["fired"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sb.faults[0]["fired"] == 1
    began = time.monotonic()
    sb.reset()
    worker.join(timeout=5)
    assert time.monotonic() - began < 1.0
    assert isinstance(outcome[0], DROPPED)
    time.sleep(0.1)
    assert sb.state.leads == {}


def test_stop_does_not_wait_for_slow_requests(fake_layer: None) -> None:
    box = CloseSandbox(latency_ms=5000).start()
    outcome: list[BaseException | int] = []

    def get() -> None:
        try:
            outcome.append(httpx.get(box.api_url + "me/", timeout=10).status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=get)
    worker.start()
    time.sleep(0.2)
    began = time.monotonic()
    box.stop()
    worker.join(timeout=10)
    assert time.monotonic() - began < 1.0
    assert isinstance(outcome[0], DROPPED)


def test_forwarded_headers_do_not_hide_the_connection_to_drop(
    sb: CloseSandbox, client: httpx.Client
) -> None:
    sb.add_fault(Fault("drop_before", times=1))
    with pytest.raises(DROPPED) as dropped:
        client.get("me/", headers={"X-Forwarded-For": "203.0.113.9"})
    assert "without sending a response" in str(dropped.value)
