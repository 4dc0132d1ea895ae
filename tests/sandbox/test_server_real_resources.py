"""The traffic layers around the real resource layer (state, routes, seeds), as in production."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox, Fault

DROPPED = (httpx.RemoteProtocolError, httpx.ReadError)


@pytest.fixture(scope="module")
def module_sandbox() -> Iterator[CloseSandbox]:
    with CloseSandbox() as box:
        yield box


@pytest.fixture
def sb(module_sandbox: CloseSandbox) -> Iterator[CloseSandbox]:
    module_sandbox.reset()
    yield module_sandbox
    module_sandbox.reset()


@pytest.fixture
def client(sb: CloseSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.api_url, auth=(sb.api_key, ""), timeout=5) as c:
        yield c


def test_me_answers_with_the_state_user_and_rate_limit(
    sb: CloseSandbox, client: httpx.Client
) -> None:
    response = client.get("me/")
    assert response.status_code == 200
    assert response.json()["id"] == sb.state.me["id"]
    assert response.headers["RateLimit"].startswith("limit=1000, remaining=999, reset=")


def test_drop_before_leaves_real_state_unchanged(sb: CloseSandbox, client: httpx.Client) -> None:
    sb.add_fault(Fault("drop_before", method="POST", path="/lead/", times=1))
    with pytest.raises(DROPPED):
        client.post("lead/", json={"name": "Acme"})
    assert sb.state.leads == {}


def test_drop_after_applies_to_real_state(sb: CloseSandbox, client: httpx.Client) -> None:
    sb.add_fault(Fault("drop_after", method="POST", path="/lead/", times=1))
    with pytest.raises(DROPPED):
        client.post("lead/", json={"name": "Acme"})
    assert [lead["name"] for lead in sb.state.leads.values()] == ["Acme"]
    assert client.get("lead/").json()["data"][0]["name"] == "Acme"


def test_reset_with_the_demo_seed_loads_leads(sb: CloseSandbox, client: httpx.Client) -> None:
    sb.reset(seed="demo")
    assert sb.state.leads
    assert len(client.get("lead/", params={"_limit": 1}).json()["data"]) == 1


def test_set_limits_reaches_the_routes(sb: CloseSandbox, client: httpx.Client) -> None:
    sb.set_limits(max_limit={"lead": 5})
    response = client.get("lead/", params={"_limit": 6})
    assert response.status_code == 400
    assert "max_limit = 5" in response.json()["error"]
    sb.reset()
    assert client.get("lead/", params={"_limit": 6}).status_code == 200


def test_the_state_reads_the_sandbox_clock(sb: CloseSandbox, client: httpx.Client) -> None:
    sb.clock.set(datetime(2024, 3, 1, 8, 30, tzinfo=UTC))
    lead = client.post("lead/", json={"name": "Clockwork"}).json()
    assert lead["date_created"].startswith("2024-03-01T08:30:00")


def test_unknown_api_path_is_json_404_with_rate_limit(client: httpx.Client) -> None:
    response = client.get("no_such_resource/")
    assert response.status_code == 404
    assert "error" in response.json()
    assert "RateLimit" in response.headers
