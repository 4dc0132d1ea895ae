"""Endpoint groups, fixed windows, the org limit and the 429 shapes (no network)."""

from __future__ import annotations

import json

import pytest

from airflow_provider_close.sandbox.config import RateRule, parse_rate_limit_spec
from airflow_provider_close.sandbox.ratelimit import (
    RateDecision,
    RateLimiter,
    endpoint_group,
    rate_limit_header,
    rate_limited_response,
)


@pytest.mark.parametrize(
    ("method", "path", "override", "group"),
    [
        ("GET", "/lead/", None, "lead:read"),
        ("GET", "/lead/lead_abc/", None, "lead:read"),
        ("POST", "/lead/", None, "lead:write"),
        ("PUT", "/lead/lead_abc/", None, "lead:write"),
        ("DELETE", "/lead/lead_abc/", None, "lead:write"),
        ("POST", "/activity/call/", None, "activity:write"),
        ("GET", "/activity/", None, "activity:read"),
        ("POST", "/data/search/", None, "data:read"),
        ("POST", "/lead/", "GET", "lead:read"),
        ("get", "/me/", None, "me:read"),
        ("GET", "/", None, "root:read"),
    ],
)
def test_endpoint_group(method: str, path: str, override: str | None, group: str) -> None:
    assert endpoint_group(method, path, override) == group


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("20/1", ("default", RateRule(20, 1.0))),
        ("lead:write=5/1", ("lead:write", RateRule(5, 1.0))),
        ("default=600/15", ("default", RateRule(600, 15.0))),
        ("data:read=16/0.5", ("data:read", RateRule(16, 0.5))),
    ],
)
def test_parse_rate_limit_spec(spec: str, parsed: tuple[str, RateRule]) -> None:
    assert parse_rate_limit_spec(spec) == parsed


@pytest.mark.parametrize("spec", ["20", "lead:write=5", "x/1", "0/1", "5/0", "Lead=5/1"])
def test_bad_rate_limit_specs(spec: str) -> None:
    with pytest.raises(ValueError, match="bad rate limit"):
        parse_rate_limit_spec(spec)


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_fixed_window_counts_down_then_refuses_then_restarts() -> None:
    clock = FakeTime()
    limiter = RateLimiter({"default": RateRule(2, 10)}, monotonic=clock)
    first = limiter.hit("lead:read", "k1")
    clock.now += 4
    second = limiter.hit("lead:read", "k1")
    third = limiter.hit("lead:read", "k1")
    assert (first.allowed, first.remaining, first.reset) == (True, 1, 10.0)
    assert (second.allowed, second.remaining, second.reset) == (True, 0, 6.0)
    assert (third.allowed, third.remaining, third.limit) == (False, 0, 2)
    clock.now += 6
    assert limiter.hit("lead:read", "k1") == RateDecision(True, 2, 1, 10.0, 10.0)


def test_groups_and_keys_are_counted_separately() -> None:
    limiter = RateLimiter({"default": RateRule(1, 10)}, monotonic=FakeTime())
    assert limiter.hit("lead:read", "k1").allowed
    assert limiter.hit("lead:write", "k1").allowed
    assert limiter.hit("lead:read", "k2").allowed
    assert not limiter.hit("lead:read", "k1").allowed


def test_the_org_may_make_three_times_the_key_limit() -> None:
    limiter = RateLimiter({"default": RateRule(2, 10)}, monotonic=FakeTime())
    allowed = [limiter.hit("lead:read", f"k{i}").allowed for i in range(4) for _ in range(2)]
    assert allowed == [True] * 6 + [False] * 2
    refusal = limiter.hit("lead:read", "k9")
    assert (refusal.allowed, refusal.limit) == (False, 6)


def test_header_reports_the_limit_closest_to_being_hit() -> None:
    limiter = RateLimiter({"default": RateRule(4, 10)}, monotonic=FakeTime())
    for key in ("k1", "k1", "k1", "k2", "k2", "k2", "k3", "k3", "k3", "k4"):
        decision = limiter.hit("lead:read", key)
    assert (decision.limit, decision.remaining) == (12, 2)


def test_group_rules_override_the_default_and_reset_restores() -> None:
    limiter = RateLimiter({"lead:write": RateRule(5, 1)})
    assert limiter.rule_for("lead:write") == RateRule(5, 1)
    assert limiter.rule_for("lead:read") == RateRule(1000, 1.0)
    limiter.set_rule("default", RateRule(7, 2))
    assert limiter.rule_for("lead:read") == RateRule(7, 2)
    limiter.reset()
    assert limiter.rules() == {"default": RateRule(1000, 1.0)}


@pytest.mark.parametrize(
    ("reset", "text"),
    [(1.5, "reset=1.5"), (2.0, "reset=2"), (0.0004, "reset=0"), (0.25, "reset=0.25")],
)
def test_rate_limit_header_format(reset: float, text: str) -> None:
    header = rate_limit_header(RateDecision(True, 100, 50, reset, 5))
    assert header == f"limit=100, remaining=50, {text}"


REFUSAL = RateDecision(False, 600, 0, 1.2, 15)


def test_legacy_429() -> None:
    response = rate_limited_response(REFUSAL, "legacy")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.headers["ratelimit"] == "limit=600, remaining=0, reset=1.2"
    assert json.loads(response.body) == {
        "error": {
            "rate_reset": 1.2,
            "message": "API call count exceeded for this 15 second window",
            "rate_limit": 600,
            "rate_window": 15,
        }
    }


def test_error_style_and_bodyless_429() -> None:
    error = rate_limited_response(REFUSAL, "error")
    assert json.loads(error.body) == {"error": "API call count exceeded for this 15 second window"}
    empty = rate_limited_response(REFUSAL, "none")
    assert empty.body == b""
    assert empty.headers["retry-after"] == "2"
    assert "ratelimit" in empty.headers
