"""The pure retry decision: what a failure allows, and how long to wait."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_close.client.retry import (
    FailureKind,
    RetryPolicy,
    backoff_delay,
    default_jitter,
    failure_action,
    failure_kind_for_error,
    failure_kind_for_status,
    no_jitter,
    retry_delay,
)

POLICY = RetryPolicy(max_attempts=4, max_total_wait=10.0, backoff_base=1.0, jitter=no_jitter)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (429, "rate_limited"),
        (500, "server_error"),
        (502, "server_error"),
        (503, "server_error"),
        (504, "server_error"),
        (400, "fatal"),
        (401, "fatal"),
        (404, "fatal"),
        (409, "fatal"),
    ],
)
def test_failure_kind_for_status(status: int, kind: FailureKind) -> None:
    assert failure_kind_for_status(status) == kind


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ConnectError("refused"), "connect_error"),
        (httpx.ConnectTimeout("slow connect"), "connect_error"),
        (httpx.PoolTimeout("pool"), "connect_error"),
        (httpx.ReadTimeout("read"), "sent_error"),
        (httpx.WriteTimeout("write"), "sent_error"),
        (httpx.ReadError("reset"), "sent_error"),
        (httpx.RemoteProtocolError("dropped"), "sent_error"),
        (httpx.DecodingError("gzip"), "fatal"),
        (ValueError("no"), "fatal"),
    ],
)
def test_failure_kind_for_error(error: Exception, kind: FailureKind) -> None:
    assert failure_kind_for_error(error) == kind


@pytest.mark.parametrize(
    ("kind", "method", "retry_safe", "action"),
    [
        ("rate_limited", "GET", False, "retry"),
        ("rate_limited", "POST", False, "retry"),
        ("connect_error", "POST", False, "retry"),
        ("connect_error", "GET", False, "retry"),
        ("server_error", "GET", False, "retry"),
        ("server_error", "PUT", False, "retry"),
        ("server_error", "DELETE", False, "retry"),
        ("server_error", "delete", False, "retry"),
        ("server_error", "POST", False, "unknown_outcome"),
        ("server_error", "PATCH", False, "unknown_outcome"),
        ("server_error", "POST", True, "retry"),
        ("sent_error", "GET", False, "retry"),
        ("sent_error", "POST", False, "unknown_outcome"),
        ("sent_error", "POST", True, "retry"),
        ("fatal", "GET", False, "raise"),
        ("fatal", "POST", True, "raise"),
    ],
)
def test_failure_action(kind: FailureKind, method: str, retry_safe: bool, action: str) -> None:
    assert failure_action(kind, method, retry_safe=retry_safe) == action


@pytest.mark.parametrize(
    ("attempt", "expected"), [(1, 1.0), (2, 2.0), (3, 4.0), (6, 32.0), (7, 60.0), (30, 60.0)]
)
def test_backoff_doubles_and_is_capped(attempt: int, expected: float) -> None:
    assert backoff_delay(RetryPolicy(backoff_base=1.0, backoff_max=60.0), attempt) == expected


@pytest.mark.parametrize(
    ("attempt", "waited", "server", "expected"),
    [
        (1, 0.0, None, 1.0),  # backoff
        (2, 1.0, None, 2.0),
        (1, 0.0, 3.0, 3.0),  # the server's wait wins over backoff
        (1, 0.0, 0.0, 0.0),
        (3, 4.0, 6.0, 6.0),  # exactly reaches the total cap
        (3, 4.0, 6.5, None),  # would exceed max_total_wait
        (1, 0.0, 11.0, None),  # a single wait above the cap
        (4, 0.0, None, None),  # attempts used up
        (5, 0.0, 1.0, None),
    ],
)
def test_retry_delay(
    attempt: int, waited: float, server: float | None, expected: float | None
) -> None:
    assert retry_delay(POLICY, attempt=attempt, waited=waited, server_wait=server) == expected


def test_retry_delay_applies_the_jitter() -> None:
    policy = RetryPolicy(jitter=lambda delay: delay + 0.5)
    assert retry_delay(policy, attempt=1, waited=0.0, server_wait=2.0) == 2.5


@pytest.mark.parametrize("delay", [0.0, 1.0, 30.0])
def test_default_jitter_adds_a_few_percent_and_tens_of_ms(delay: float) -> None:
    samples = [default_jitter(delay) for _ in range(200)]
    assert all(delay <= s <= delay * 1.05 + 0.05 for s in samples)
    assert len(set(samples)) > 1


@pytest.mark.parametrize(
    "kwargs", [{"max_attempts": 0}, {"max_total_wait": -1.0}, {"backoff_base": -1.0}]
)
def test_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
