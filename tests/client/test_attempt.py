"""The attempt state machine, response by response, with no network and no sleeping."""

from __future__ import annotations

import logging

import httpx
import pytest

from airflow_provider_close.client.attempt import (
    Attempt,
    ClientStats,
    Done,
    Raise,
    RequestSpec,
    Send,
    Wait,
)
from airflow_provider_close.client.errors import (
    CloseAPIError,
    CloseNotFoundError,
    CloseRateLimitError,
    CloseServerError,
    CloseTransportError,
    CloseUnknownOutcomeError,
)
from airflow_provider_close.client.ratelimit import RateLimitInfo
from airflow_provider_close.client.retry import RetryPolicy, no_jitter
from airflow_provider_close.client.throttle import Throttle

POLICY = RetryPolicy(max_attempts=3, max_total_wait=20.0, backoff_base=1.0, jitter=no_jitter)
LEGACY = {"error": {"rate_reset": 4.5, "message": "API call count exceeded", "rate_limit": 5}}


def make_attempt(
    method: str = "GET", *, retry_safe: bool = False, policy: RetryPolicy = POLICY
) -> tuple[Attempt, ClientStats, Throttle]:
    stats, throttle = ClientStats(), Throttle()
    spec = RequestSpec(method, "lead/", retry_safe=retry_safe)
    attempt = Attempt(spec, policy=policy, throttle=throttle, stats=stats, clock=lambda: 0.0)
    return attempt, stats, throttle


def response(status: int, **kwargs: object) -> httpx.Response:
    return httpx.Response(status, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reply", "seconds"),
    [
        (
            response(
                429, headers={"Retry-After": "3", "RateLimit": "limit=5, remaining=0, reset=2.2"}
            ),
            3.0,
        ),
        (response(429, headers={"RateLimit": "limit=5, remaining=0, reset=2.2"}), 2.2),
        (response(429, json=LEGACY), 4.5),
        (response(429, headers={"Retry-After": "2"}), 2.0),  # no body at all
        (response(429, text="<html>slow down</html>"), 1.0),  # nothing usable: backoff
        (response(500, json={"error": "Internal Server Error"}), 1.0),
        (response(503, text="<html>503</html>"), 1.0),
    ],
)
def test_retryable_responses_wait_what_the_server_said(
    reply: httpx.Response, seconds: float
) -> None:
    attempt, stats, _ = make_attempt()
    assert attempt.start() == Send()
    step = attempt.on_response(reply)
    assert isinstance(step, Wait)
    assert step.seconds == pytest.approx(seconds)
    step = attempt.resume()
    if isinstance(step, Wait):  # a RateLimit reset: the throttle adds its edge margin (2%)
        assert step.seconds == pytest.approx(0.02 * seconds)
        step = attempt.resume()
    assert step == Send()
    assert stats.retries == 1
    assert stats.rate_limited == (reply.status_code == 429)


def test_success_after_retries_returns_the_body() -> None:
    attempt, stats, _ = make_attempt()
    attempt.start()
    assert isinstance(attempt.on_response(response(502)), Wait)
    assert isinstance(attempt.on_response(response(429)), Wait)
    assert attempt.on_response(response(200, json={"id": "lead_1"})) == Done({"id": "lead_1"})
    # the 429's backoff counts 429s (its first: 1 s), not the 502 before it
    assert stats == ClientStats(requests=3, retries=2, rate_limited=1, waited_seconds=2.0)


def test_429s_use_none_of_the_attempts_meant_for_errors() -> None:
    attempt, stats, _ = make_attempt()  # max_attempts=3, max_total_wait=20
    attempt.start()
    for _ in range(10):
        step = attempt.on_response(response(429, headers={"Retry-After": "1"}))
        assert isinstance(step, Wait)
    assert isinstance(attempt.on_response(response(502)), Wait)
    assert isinstance(attempt.on_response(response(502)), Wait)
    assert isinstance(attempt.on_response(response(502)), Raise)  # the third error: spent
    assert stats.rate_limited == 10


def test_429s_are_waited_out_within_max_total_wait_only() -> None:
    attempt, _, _ = make_attempt()  # max_total_wait=20
    attempt.start()
    waits = [attempt.on_response(response(429, headers={"Retry-After": "5"})) for _ in range(4)]
    assert [w.seconds for w in waits if isinstance(w, Wait)] == [5.0] * 4
    assert isinstance(attempt.on_response(response(429, headers={"Retry-After": "5"})), Raise)


def test_attempts_are_capped_and_the_last_error_raised() -> None:
    attempt, _, _ = make_attempt()
    attempt.start()
    attempt.on_response(response(500))
    attempt.on_response(response(500))
    step = attempt.on_response(response(503))
    assert isinstance(step, Raise)
    assert isinstance(step.error, CloseServerError)
    assert step.error.status == 503


def test_a_wait_beyond_the_total_cap_raises_the_rate_limit_error_at_once() -> None:
    attempt, _, _ = make_attempt()
    attempt.start()
    step = attempt.on_response(response(429, headers={"Retry-After": "60"}))
    assert isinstance(step, Raise)
    assert isinstance(step.error, CloseRateLimitError)
    assert step.error.retry_after == 60.0


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_5xx_is_an_unknown_outcome_and_not_resent(status: int) -> None:
    attempt, stats, _ = make_attempt("POST")
    attempt.start()
    step = attempt.on_response(response(status))
    assert isinstance(step, Raise)
    assert isinstance(step.error, CloseUnknownOutcomeError)
    assert (step.error.method, step.error.path, step.error.status) == ("POST", "lead/", status)
    assert isinstance(step.cause, CloseServerError)
    assert stats.retries == 0


def test_a_post_marked_safe_is_retried_on_5xx() -> None:
    attempt, _, _ = make_attempt("POST", retry_safe=True)
    attempt.start()
    assert isinstance(attempt.on_response(response(500)), Wait)


def test_post_429_is_retried() -> None:
    attempt, _, _ = make_attempt("POST")
    attempt.start()
    assert isinstance(attempt.on_response(response(429, headers={"Retry-After": "1"})), Wait)


@pytest.mark.parametrize(
    ("method", "error", "outcome"),
    [
        ("GET", httpx.ReadTimeout("timed out"), Wait),
        ("GET", httpx.RemoteProtocolError("Server disconnected"), Wait),
        ("PUT", httpx.ReadError("reset"), Wait),
        ("POST", httpx.ConnectError("refused"), Wait),
        ("POST", httpx.ConnectTimeout("slow"), Wait),
        ("POST", httpx.PoolTimeout("pool"), Wait),
        ("POST", httpx.ReadTimeout("timed out"), CloseUnknownOutcomeError),
        ("POST", httpx.RemoteProtocolError("Server disconnected"), CloseUnknownOutcomeError),
        ("POST", httpx.WriteTimeout("w"), CloseUnknownOutcomeError),
        ("GET", httpx.DecodingError("bad gzip"), CloseTransportError),
    ],
)
def test_transport_errors(method: str, error: Exception, outcome: type) -> None:
    attempt, _, _ = make_attempt(method)
    attempt.start()
    step = attempt.on_error(error)
    if outcome is Wait:
        assert isinstance(step, Wait)
        assert step.seconds == 1.0
        return
    assert isinstance(step, Raise)
    assert type(step.error) is outcome
    assert step.cause is error
    assert step.error.method == method
    assert step.error.path == "lead/"


def test_transport_errors_exhausted_raise_a_transport_error_with_the_cause() -> None:
    attempt, _, _ = make_attempt()
    attempt.start()
    last = httpx.ConnectError("refused")
    attempt.on_error(httpx.ConnectError("refused"))
    attempt.on_error(httpx.ConnectError("refused"))
    step = attempt.on_error(last)
    assert isinstance(step, Raise)
    assert isinstance(step.error, CloseTransportError)
    assert step.cause is last
    assert step.error.cause_type == "ConnectError"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (response(200, json={"id": 1}), {"id": 1}),
        (response(200, content=b""), {}),
        (response(200, content=b"  \n"), {}),
        (response(204), {}),
        (response(201, json={"id": "whsub_1"}), {"id": "whsub_1"}),
    ],
)
def test_success_bodies(reply: httpx.Response, expected: dict[str, object]) -> None:
    attempt, _, _ = make_attempt()
    attempt.start()
    assert attempt.on_response(reply) == Done(expected)


@pytest.mark.parametrize(
    "reply", [response(200, text="<html>login</html>"), response(200, json=[1, 2])]
)
def test_non_object_2xx_is_an_error(reply: httpx.Response) -> None:
    attempt, _, _ = make_attempt()
    attempt.start()
    step = attempt.on_response(reply)
    assert isinstance(step, Raise)
    assert type(step.error) is CloseAPIError
    assert "GET lead/: 200" in str(step.error)
    assert "not a JSON object" in str(step.error)


def test_4xx_raise_at_once() -> None:
    attempt, stats, _ = make_attempt()
    attempt.start()
    step = attempt.on_response(response(404, json={"error": "Empty query"}))
    assert isinstance(step, Raise)
    assert isinstance(step.error, CloseNotFoundError)
    assert stats.retries == 0


def test_rate_limit_headers_feed_the_throttle_and_delay_the_next_request() -> None:
    attempt, stats, throttle = make_attempt()
    attempt.start()
    attempt.on_response(
        response(200, json={}, headers={"RateLimit": "limit=1, remaining=0, reset=4"})
    )
    assert throttle.last == RateLimitInfo(1, 0, 4.0)
    follower = Attempt(
        RequestSpec("GET", "lead/x/"),
        policy=POLICY,
        throttle=throttle,
        stats=stats,
        clock=lambda: 1.0,
    )
    step = follower.start()
    # until the reset, dated from the send, plus the edge margin (2% of the window)
    assert step == Wait(pytest.approx(3.08), "throttle: read:lead has no requests left")
    assert stats.throttled == 1
    # the clock did not move (recorded sleep), but the machine knows it waited until the reset
    assert follower.resume() == Send()


def test_a_cancelled_request_gives_its_throttle_slot_back() -> None:
    attempt, _, throttle = make_attempt()
    throttle.observe("read:lead", RateLimitInfo(1, 1, 10.0), now=0.0)
    assert attempt.start() == Send()
    assert not throttle.reserve("read:lead", 0.0).held
    attempt.abandon()
    assert throttle.reserve("read:lead", 0.0).held


def test_after_a_429_the_retry_goes_out_once_the_window_reset() -> None:
    attempt, _, _ = make_attempt()
    attempt.start()
    headers = {"Retry-After": "2", "RateLimit": "limit=5, remaining=0, reset=1.5"}
    step = attempt.on_response(response(429, headers=headers))
    assert step == Wait(2.0, "rate limited (429); retry 2")
    assert attempt.resume() == Send()


def test_each_wait_is_logged_with_reason_method_path_and_seconds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempt, _, _ = make_attempt()
    attempt.start()
    with caplog.at_level(logging.INFO, logger="airflow_provider_close.client"):
        attempt.on_response(response(429, headers={"Retry-After": "2"}))
    (record,) = [r for r in caplog.records if r.name == "airflow_provider_close.client"]
    assert record.levelno == logging.INFO
    assert record.getMessage() == "Close GET lead/: waiting 2.000 s (rate limited (429); retry 2)"
