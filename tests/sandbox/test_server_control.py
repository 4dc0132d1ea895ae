"""The ``/_sandbox/`` control endpoints and the sandbox clock, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox, Fault, SandboxClock
from airflow_provider_close.sandbox.config import RateRule
from tests.sandbox.fake_resources import fake_layer

__all__ = ["fake_layer"]


@pytest.fixture
def sb(fake_layer: None) -> Iterator[CloseSandbox]:
    with CloseSandbox() as box:
        yield box


@pytest.fixture
def control(sb: CloseSandbox) -> Iterator[httpx.Client]:
    # every control write must say it is JSON (control_guard.py), even an empty one
    json_writes = {"Content-Type": "application/json"}
    with httpx.Client(base_url=sb.url + "/_sandbox/", headers=json_writes) as client:
        yield client


def api_get(sb: CloseSandbox, path: str = "me/") -> httpx.Response:
    return httpx.get(sb.api_url + path, auth=(sb.api_key, ""))


def test_reset_over_http_wipes_and_seeds(sb: CloseSandbox, control: httpx.Client) -> None:
    httpx.post(sb.api_url + "lead/", auth=(sb.api_key, ""), json={"name": "x"})
    assert control.post("reset").json() == {"reset": True, "seed": None}
    assert sb.state.leads == {}
    assert control.post("reset", json={"seed": "demo"}).status_code == 200
    assert list(sb.state.leads) == ["lead_demo"]


def test_reset_with_an_unknown_seed_is_400(control: httpx.Client) -> None:
    response = control.post("reset", json={"seed": "nope"})
    assert response.status_code == 400
    assert "unknown sandbox seed" in response.json()["error"]


def test_faults_endpoint_adds_lists_and_clears(sb: CloseSandbox, control: httpx.Client) -> None:
    added = control.post("faults", json={"kind": "server_error", "status": 503, "times": 1})
    assert added.json()["faults"][0]["status"] == 503
    control.post("faults", json=[{"spec": "rate_limit:times=1,retry_after=0"}])
    assert [api_get(sb).status_code for _ in range(3)] == [503, 429, 200]
    listed = control.get("faults").json()["faults"]
    assert [(f["kind"], f["fired"]) for f in listed] == [("server_error", 1), ("rate_limit", 1)]
    assert control.delete("faults").json() == {"faults": []}
    assert sb.faults == []


def test_bad_fault_is_400(control: httpx.Client) -> None:
    response = control.post("faults", json={"kind": "explode"})
    assert response.status_code == 400
    assert "kind must be one of" in response.json()["error"]


def test_rate_limits_endpoint(sb: CloseSandbox, control: httpx.Client) -> None:
    control.post("rate_limits", json={"group": "me:read", "limit": 1, "window_seconds": 30})
    control.post("rate_limits", json={"spec": "lead:write=5/2"})
    assert sb.rate_limits["lead:write"] == RateRule(5, 2.0)
    assert control.get("rate_limits").json()["rate_limits"]["me:read"] == {
        "limit": 1,
        "window_seconds": 30.0,
    }
    assert [api_get(sb).status_code for _ in range(2)] == [200, 429]


def test_latency_endpoint(sb: CloseSandbox, control: httpx.Client) -> None:
    assert control.post("latency", json={"ms": 25}).json() == {"ms": 25}
    assert sb.latency_ms == 25
    assert control.post("latency", json={"ms": -1}).status_code == 400


def test_limits_endpoint(sb: CloseSandbox, control: httpx.Client) -> None:
    response = control.post("limits", json={"max_skip": {"activity": 500}})
    assert response.json()["max_skip"] == {"activity": 500}
    assert sb.state.limits.max_skip == {"activity": 500}


def test_requests_endpoint_lists_api_traffic_only(sb: CloseSandbox, control: httpx.Client) -> None:
    api_get(sb)
    control.get("faults")
    assert control.get("requests").json() == {
        "requests": [{"method": "GET", "path": "/me/", "query": "", "status": 200, "fault": None}]
    }


def test_clock_endpoint_sets_advances_and_resets(sb: CloseSandbox, control: httpx.Client) -> None:
    frozen = control.post("clock", json={"set": "2024-05-01T12:00:00Z"}).json()
    assert frozen == {"now": "2024-05-01T12:00:00+00:00", "frozen": True}
    assert control.post("clock", json={"advance": 90}).json()["now"] == "2024-05-01T12:01:30+00:00"
    assert control.post("clock", json={"reset": True}).json()["frozen"] is False
    assert control.post("clock", json={}).status_code == 400


def test_control_needs_no_credentials_and_is_not_rate_limited(
    sb: CloseSandbox, control: httpx.Client
) -> None:
    sb.set_rate_limit("default", 1, 30)
    sb.add_fault(Fault("server_error"))
    assert all(control.get("faults").status_code == 200 for _ in range(3))
    assert "RateLimit" not in control.get("faults").headers


def test_reset_restores_the_real_clock(sb: CloseSandbox) -> None:
    sb.clock.set(datetime(2020, 1, 1, tzinfo=UTC))
    sb.reset()
    assert abs(sb.clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_clock_frozen_stays_until_advanced() -> None:
    clock = SandboxClock()
    clock.set(datetime(2024, 1, 1, 9, 0))
    assert clock.now() == datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    assert clock.now() == clock.now()
    clock.advance(30)
    assert clock.now() == datetime(2024, 1, 1, 9, 0, 30, tzinfo=UTC)


def test_clock_offset_keeps_ticking_when_not_frozen() -> None:
    clock = SandboxClock()
    clock.advance(3600)
    ahead = clock.now() - datetime.now(UTC)
    assert timedelta(minutes=59) < ahead <= timedelta(hours=1)
    assert not clock.frozen
    clock.reset()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)


def test_clock_set_converts_to_utc() -> None:
    clock = SandboxClock()
    clock.set(datetime.fromisoformat("2024-01-01T10:00:00+02:00"))
    assert clock.now() == datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


async def test_control_refuses_non_loopback_clients(fake_layer: None) -> None:
    from starlette.applications import Starlette

    from airflow_provider_close.sandbox.control import control_routes

    app = Starlette(routes=control_routes(CloseSandbox()))
    transport = httpx.ASGITransport(app=app, client=("192.0.2.10", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        response = await client.get("/_sandbox/faults")
    assert response.status_code == 403
    assert response.json() == {"error": "control endpoints are loopback-only"}


def test_http_reset_without_a_seed_uses_the_configured_one(fake_layer: None) -> None:
    with CloseSandbox(seed="demo") as box, httpx.Client(base_url=box.url) as client:
        assert client.post("/_sandbox/reset", json={"seed": None}).json()["seed"] is None
        assert box.state.leads == {}
        assert client.post("/_sandbox/reset", json={}).json() == {"reset": True, "seed": "demo"}
        assert list(box.state.leads) == ["lead_demo"]
