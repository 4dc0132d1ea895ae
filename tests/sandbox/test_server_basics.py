"""CloseSandbox lifecycle, addresses, auth and the request log, over real HTTP with httpx."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox, RequestRecord
from tests.sandbox.fake_resources import fake_layer

__all__ = ["fake_layer"]


@pytest.fixture
def sb(fake_layer: None) -> Iterator[CloseSandbox]:
    with CloseSandbox(api_key="key_main", api_keys=["key_other"], access_tokens=["tok_1"]) as box:
        yield box


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_urls_point_at_a_loopback_port(sb: CloseSandbox) -> None:
    assert sb.url.startswith("http://127.0.0.1:")
    assert int(sb.url.rsplit(":", 1)[1]) > 0
    assert sb.api_url == sb.url + "/api/v1/"


def test_starts_fast_and_stops_cleanly(fake_layer: None) -> None:
    began = time.monotonic()
    box = CloseSandbox().start()
    assert time.monotonic() - began < 1.0
    url = box.url
    box.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/api/v1/me/", timeout=1)


def test_generated_api_key_looks_like_a_close_key(fake_layer: None) -> None:
    key = CloseSandbox().api_key
    assert key.startswith("api_")
    assert len(key) == 4 + 22 + 1 + 22
    assert key != CloseSandbox().api_key


def test_basic_auth_with_the_key_as_username(sb: CloseSandbox) -> None:
    response = httpx.get(sb.api_url + "me/", headers=basic("key_main"))
    assert response.status_code == 200
    assert response.json()["id"] == "user_fake"


def test_httpx_basic_auth_tuple_works(sb: CloseSandbox) -> None:
    assert httpx.get(sb.api_url + "me/", auth=("key_other", "")).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic " + base64.b64encode(b"wrong_key:").decode()},
        {"Authorization": "Basic " + base64.b64encode(b":key_main").decode()},
        {"Authorization": "Basic !!notbase64"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": "Bearer key_main"},
        {"Authorization": "Token key_main"},
    ],
)
def test_missing_or_bad_credentials_get_401(sb: CloseSandbox, headers: dict[str, str]) -> None:
    response = httpx.get(sb.api_url + "me/", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized"}


def test_bearer_tokens_configured_and_generated(sb: CloseSandbox) -> None:
    for token in ("tok_1", sb.access_token):
        response = httpx.get(sb.api_url + "me/", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200


def test_unknown_paths_are_json_404(sb: CloseSandbox) -> None:
    inside = httpx.get(sb.api_url + "nope/", headers=basic("key_main"))
    outside = httpx.get(sb.url + "/nope/")
    for response in (inside, outside):
        assert response.status_code == 404
        assert "error" in response.json()


def test_request_log_records_api_requests_in_order(sb: CloseSandbox) -> None:
    httpx.get(sb.api_url + "me/", headers=basic("key_main"), params={"_fields": "id"})
    httpx.post(sb.api_url + "lead/", headers=basic("key_main"), json={"name": "Acme"})
    httpx.get(sb.api_url + "me/")
    assert sb.requests == [
        RequestRecord("GET", "/me/", "_fields=id", 200, None),
        RequestRecord("POST", "/lead/", "", 200, None),
        RequestRecord("GET", "/me/", "", 401, None),
    ]


def test_reset_wipes_state_and_log_and_can_seed(sb: CloseSandbox) -> None:
    httpx.post(sb.api_url + "lead/", headers=basic("key_main"), json={"name": "Acme"})
    sb.reset()
    assert sb.requests == []
    assert sb.state.leads == {}
    sb.reset(seed="demo")
    assert list(sb.state.leads) == ["lead_demo"]


def test_unknown_seed_is_refused(fake_layer: None) -> None:
    with pytest.raises(ValueError, match="unknown sandbox seed 'nope'"):
        CloseSandbox(seed="nope")


def test_set_limits_replaces_page_limits_until_reset(sb: CloseSandbox) -> None:
    sb.set_limits(max_skip={"activity": 500})
    assert sb.state.limits.max_skip == {"activity": 500}
    sb.reset()
    assert sb.state.limits.max_skip == {}


def test_state_uses_the_sandbox_clock(sb: CloseSandbox) -> None:
    from datetime import UTC, datetime

    sb.clock.set(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    lead = httpx.post(sb.api_url + "lead/", headers=basic("key_main"), json={}).json()
    assert lead["date_created"] == "2024-01-02T03:04:05+00:00"


def test_public_names_are_pinned() -> None:
    from airflow_provider_close import sandbox

    assert sandbox.__all__ == [
        "CloseSandbox",
        "Fault",
        "Mutation",
        "PageHook",
        "RequestRecord",
        "SandboxClock",
    ]


def test_importing_the_sandbox_pulls_in_no_airflow_client_or_uvicorn() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, airflow_provider_close.sandbox; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'airflow', 'uvicorn'}), "
        "any(m.startswith(('airflow_provider_close.client', 'airflow_provider_close.hooks')) "
        "for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[] False"


def test_plain_reset_goes_back_to_the_configured_seed(fake_layer: None) -> None:
    box = CloseSandbox(seed="demo")
    assert list(box.state.leads) == ["lead_demo"]
    box.state.leads.clear()
    box.reset()
    assert list(box.state.leads) == ["lead_demo"]
    box.reset(seed=None)
    assert box.state.leads == {}
