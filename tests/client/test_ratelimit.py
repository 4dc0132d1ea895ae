"""Rate-limit signal parsing: RateLimit, Retry-After (seconds and HTTP-date), legacy body."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from airflow_provider_close.client.ratelimit import (
    RateLimitInfo,
    legacy_rate_reset,
    parse_rate_limit,
    parse_retry_after,
    rate_limit_from_headers,
    server_wait,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("limit=100, remaining=50, reset=5", RateLimitInfo(100, 50, 5.0)),
        ("limit=100; remaining=50; reset=5", RateLimitInfo(100, 50, 5.0)),
        ("limit=100,remaining=0,reset=0.25", RateLimitInfo(100, 0, 0.25)),
        ("  limit = 160 ,  remaining = 159 , reset = 1.5  ", RateLimitInfo(160, 159, 1.5)),
        ("LIMIT=10, Remaining=3, RESET=2", RateLimitInfo(10, 3, 2.0)),
        ("remaining=7, reset=3", RateLimitInfo(None, 7, 3.0)),
        ('"default";r=4;t=9', RateLimitInfo(None, 4, 9.0)),
        ("limit=16, remaining=15, reset=1, policy=x", RateLimitInfo(16, 15, 1.0)),
        # two limits in one header: the one closest to being hit wins
        (
            "limit=100, remaining=50, reset=5, limit=10, remaining=1, reset=2",
            RateLimitInfo(10, 1, 2.0),
        ),
        ("limit=100, remaining=-1, reset=-3", RateLimitInfo(100, 0, 0.0)),
        ("limit=100", None),
        ("", None),
        ("garbage", None),
    ],
)
def test_parse_rate_limit(value: str, expected: RateLimitInfo | None) -> None:
    assert parse_rate_limit(value) == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"RateLimit": "limit=5, remaining=4, reset=1"}, RateLimitInfo(5, 4, 1.0)),
        ({"ratelimit": "limit=5, remaining=4, reset=1"}, RateLimitInfo(5, 4, 1.0)),
        ({"RATELIMIT": "limit=5, remaining=4, reset=1"}, RateLimitInfo(5, 4, 1.0)),
        (
            {"RateLimit-Limit": "20", "RateLimit-Remaining": "3", "RateLimit-Reset": "4"},
            RateLimitInfo(20, 3, 4.0),
        ),
        (
            {"X-Rate-Limit-Limit": "600", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": "9"},
            RateLimitInfo(600, 0, 9.0),
        ),
        (
            {"RateLimit": "nonsense", "RateLimit-Remaining": "1", "RateLimit-Reset": "2"},
            RateLimitInfo(None, 1, 2.0),
        ),
        ({"Content-Type": "application/json"}, None),
    ],
)
def test_rate_limit_from_headers(headers: dict[str, str], expected: RateLimitInfo | None) -> None:
    assert rate_limit_from_headers(headers) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3.0),
        (" 2 ", 2.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-4", 0.0),
        ("Sun, 01 Mar 2026 12:00:30 GMT", 30.0),
        ("Sun, 01 Mar 2026 11:59:00 GMT", 0.0),
        ("inf", None),
        ("nan", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"error": {"rate_reset": 1.5, "message": "API call count exceeded"}}, 1.5),
        ({"error": {"rate_reset": "2"}}, 2.0),
        ({"error": {"rate_reset": -1}}, 0.0),
        ({"error": {"rate_reset": True}}, None),
        ({"error": {"rate_reset": "x"}}, None),
        ({"error": "Too many requests"}, None),
        ({}, None),
        (None, None),
        (["not", "a", "dict"], None),
    ],
)
def test_legacy_rate_reset(body: object, expected: float | None) -> None:
    assert legacy_rate_reset(body) == expected


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Retry-After": "3", "RateLimit": "limit=1, remaining=0, reset=2.5"}, None, 3.0),
        ({"retry-after": "soon", "RateLimit": "limit=1, remaining=0, reset=2.5"}, None, 2.5),
        ({"RateLimit": "limit=1, remaining=0, reset=2.5"}, {"error": {"rate_reset": 9}}, 2.5),
        ({}, {"error": {"rate_reset": 9}}, 9.0),
        ({"Retry-After": "Sun, 01 Mar 2026 12:00:04 GMT"}, None, 4.0),
        ({}, None, None),
        ({}, {"raw": "<html>"}, None),
    ],
)
def test_server_wait_prefers_retry_after_then_ratelimit_then_legacy(
    headers: dict[str, str], body: object, expected: float | None
) -> None:
    assert server_wait(headers, body, NOW) == expected
