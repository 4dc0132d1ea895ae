"""Rate limiting over real HTTP: headers on every response, 429s, per-key and per-org counts."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.fake_resources import fake_layer

__all__ = ["fake_layer"]

HEADER = re.compile(r"^limit=(\d+), remaining=(\d+), reset=(\d+(?:\.\d+)?)$")


@pytest.fixture
def sb(fake_layer: None) -> Iterator[CloseSandbox]:
    with CloseSandbox(api_key="k1", api_keys=["k2", "k3", "k4"]) as box:
        yield box


_HTTP: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _http() -> Iterator[None]:
    """One kept-alive client per test: a fresh client per request costs tens of milliseconds
    on a loaded machine, which the real-time windows below would notice."""
    with httpx.Client() as client:
        _HTTP.append(client)
        yield
        _HTTP.remove(client)


def get(sb: CloseSandbox, key: str = "k1", path: str = "me/") -> httpx.Response:
    return _HTTP[-1].get(sb.api_url + path, auth=(key, ""))


def test_every_api_response_carries_rate_limit(sb: CloseSandbox) -> None:
    responses = [
        get(sb),
        get(sb, path="lead/nope/"),
        get(sb, path="nothing/"),
        httpx.post(sb.api_url + "lead/", auth=("k1", ""), json={}),
    ]
    for response in responses:
        match = HEADER.match(response.headers["RateLimit"])
        assert match is not None, response.headers["RateLimit"]
        assert int(match[1]) == 1000
        assert float(match[3]) <= 1.0


def test_the_default_is_generous(sb: CloseSandbox) -> None:
    statuses = {get(sb).status_code for _ in range(50)}
    assert statuses == {200}


def test_over_the_limit_answers_429_with_retry_after_and_legacy_body(sb: CloseSandbox) -> None:
    sb.set_rate_limit("me:read", 3, 30)
    started = time.monotonic()
    remaining = [HEADER.match(get(sb).headers["RateLimit"])[2] for _ in range(3)]  # type: ignore[index]
    refused = get(sb)
    took = time.monotonic() - started  # the window began within this span: reset >= 30 - took
    assert remaining == ["2", "1", "0"]
    assert refused.status_code == 429
    assert 30 - took - 0.001 <= float(HEADER.match(refused.headers["RateLimit"])[3]) <= 30  # type: ignore[index]
    assert refused.headers["Retry-After"] == "30"
    body = refused.json()["error"]
    assert (body["rate_limit"], body["rate_window"]) == (3, 30)
    assert body["message"] == "API call count exceeded for this 30 second window"
    assert get(sb, path="lead/").status_code == 200


def test_keys_are_limited_separately_and_the_org_at_three_times(sb: CloseSandbox) -> None:
    sb.set_rate_limit("default", 2, 30)
    by_key = {key: [get(sb, key).status_code for _ in range(3)] for key in ("k1", "k2", "k3")}
    assert by_key == {key: [200, 200, 429] for key in ("k1", "k2", "k3")}
    org_refusal = get(sb, "k4")
    assert org_refusal.status_code == 429
    assert org_refusal.headers["RateLimit"].startswith("limit=6, remaining=0")


WINDOW = 1.0  # real seconds


def _fill_one_window(sb: CloseSandbox) -> list[int]:
    """Send three requests within one fresh real-time window and return their statuses.

    A loaded machine can take longer than the window for three requests; then the third is
    rightly answered in the next window, so that attempt proves nothing and is repeated.
    """
    for _attempt in range(20):
        sb.set_rate_limit("default", 2, WINDOW)  # restarts the windows
        started = time.monotonic()
        statuses = [get(sb).status_code for _ in range(3)]
        if time.monotonic() - started < WINDOW:
            return statuses
    pytest.fail(f"20 attempts each took over {WINDOW} s for three requests (machine too busy)")


def test_windows_use_real_time(sb: CloseSandbox) -> None:
    assert _fill_one_window(sb) == [200, 200, 429]
    time.sleep(WINDOW + 0.05)
    assert get(sb).status_code == 200


@pytest.mark.parametrize(
    ("style", "body"),
    [
        ("error", b'{"error":"API call count exceeded for this 30 second window"}'),
        ("none", b""),
    ],
)
def test_configurable_429_body(fake_layer: None, style: str, body: bytes) -> None:
    with CloseSandbox(rate_limits={"default": (1, 30)}, rate_limit_body=style) as box:  # type: ignore[arg-type]
        get(box, box.api_key)
        refused = get(box, box.api_key)
    assert refused.status_code == 429
    assert refused.content == body
    assert refused.headers["Retry-After"] == "30"


def test_configured_limits_come_back_on_reset(fake_layer: None) -> None:
    with CloseSandbox(rate_limits={"lead:write": (1, 30)}) as box:
        post = lambda: httpx.post(box.api_url + "lead/", auth=(box.api_key, ""), json={})  # noqa: E731
        assert [post().status_code, post().status_code] == [200, 429]
        box.set_rate_limit("lead:write", 100, 30)
        assert post().status_code == 200
        box.reset()
        assert [post().status_code, post().status_code] == [200, 429]
        assert box.rate_limits["lead:write"] == (1, 30)


def test_unauthenticated_requests_are_not_counted(sb: CloseSandbox) -> None:
    sb.set_rate_limit("default", 1, 30)
    assert httpx.get(sb.api_url + "me/").status_code == 401
    assert get(sb).status_code == 200
