"""One request's attempt loop as a sans-I/O state machine, driven by the sync and async clients.

```
start() ──> Wait(throttle) ──resume()──> Send
   └──────────────────────────────────> Send ──on_response()/on_error()──> Done | Wait | Raise
                                                Wait ──resume()──> Send
```

The machine decides; the client's loop only sends and sleeps. Every wait is logged here
(logger ``airflow_provider_close.client``, INFO) with its reason, method, path and seconds.
Every error is built from redacted parts (:mod:`.redaction`): the body, the response headers
and the transport detail lose every form of the live credential, and the request an httpx
error keeps loses its ``Authorization`` header.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import httpx

from airflow_provider_close.client.errors import (
    CloseAPIError,
    CloseError,
    CloseRateLimitError,
    CloseTransportError,
    CloseUnknownOutcomeError,
    JSONObject,
    error_for_status,
)
from airflow_provider_close.client.ratelimit import rate_limit_from_headers
from airflow_provider_close.client.redaction import Redactor, scrub_request
from airflow_provider_close.client.resources import endpoint_group
from airflow_provider_close.client.retry import (
    FailureKind,
    RetryPolicy,
    failure_action,
    failure_kind_for_error,
    failure_kind_for_status,
    retry_delay,
)
from airflow_provider_close.client.steps import (
    ClientStats,
    Done,
    Raise,
    RequestSpec,
    Send,
    Step,
    Wait,
)
from airflow_provider_close.client.throttle import Throttle

__all__ = [
    "Attempt",
    "ClientStats",
    "Done",
    "Raise",
    "RequestSpec",
    "Send",
    "Step",
    "Wait",
    "logger",
]

logger = logging.getLogger("airflow_provider_close.client")

_RAW_CHARS = 500
_DETAIL_CHARS = 200


class Attempt:
    """The attempts of one request: decides what to do after each response or error.

    :param spec: the request.
    :param policy: retry policy.
    :param throttle: the client's shared throttle.
    :param stats: the client's counters (updated in place).
    :param clock: monotonic clock.
    :param redactor: returns the redactor of the credentials in use (read at each failure,
        so a refreshed token is covered); ``None`` redacts nothing.
    """

    def __init__(
        self,
        spec: RequestSpec,
        *,
        policy: RetryPolicy,
        throttle: Throttle,
        stats: ClientStats,
        clock: Callable[[], float],
        redactor: Callable[[], Redactor] | None = None,
    ) -> None:
        self.spec = spec
        self._redactor = redactor or _no_secrets
        self._policy = policy
        self._throttle = throttle
        self._stats = stats
        self._clock = clock
        self._group = endpoint_group(spec.method, spec.path)
        self._attempts = 0
        self._rate_limited = 0
        self._waited = 0.0
        self._throttle_waited = 0.0
        self._holding = False
        self._sent_at: float | None = None
        self._in_air = False  # sent on a held slot, not answered yet
        self._reserve_on_resume = False
        self._resume_at = 0.0

    def start(self) -> Send | Wait:
        """Return the first step: send now, or wait for the throttle first."""
        return self._reserve()

    def resume(self) -> Send | Wait:
        """Return the step after a wait: send, or wait again if the throttle says so.

        A slot booked before the wait is confirmed against the freshest reading first: if
        others spent the budget meanwhile, it is given back and the throttle asked again.
        """
        if self._reserve_on_resume:
            return self._reserve()
        if self._holding and not self._throttle.confirm(self._group, self._now()):
            self.abandon()
            return self._reserve()
        return self._send()

    def abandon(self) -> None:
        """Give back the throttle slot if the request was answered, failed or was cancelled."""
        if self._holding:
            self._holding = False
            self._throttle.release(self._group, self._sent_at if self._in_air else None)
        self._in_air = False

    def on_response(self, response: httpx.Response) -> Done | Wait | Raise:
        """Return the step after a response.

        :param response: the response (body already read).
        """
        self._count_attempt()
        self.abandon()
        info = rate_limit_from_headers(response.headers)
        if info is not None:
            counted = response.status_code != 429  # a refused request is not counted
            at = self._clock()
            sent_at = at if self._sent_at is None else self._sent_at
            self._throttle.observe(self._group, info, at, sent_at=sent_at, counted=counted)
        body, is_json = _decoded_body(response, self._redactor)
        if response.is_success:
            return self._success(response, body, is_json)
        redactor = self._redactor()  # built only for failures: most answers need none
        error = error_for_status(
            self.spec.method,
            self.spec.path,
            response.status_code,
            redactor.json(body),
            redactor.headers(response.headers),
        )
        asked = None
        if isinstance(error, CloseRateLimitError):
            self._stats.rate_limited += 1
            asked = error.retry_after
        return self._after_failure(error, failure_kind_for_status(response.status_code), asked)

    def on_error(self, error: Exception) -> Wait | Raise:
        """Return the step after an httpx exception.

        :param error: the exception raised while sending.
        """
        self._count_attempt()
        self.abandon()
        scrub_request(error)
        detail = " ".join(self._redactor().text(str(error)).split())[:_DETAIL_CHARS]
        wrapped = CloseTransportError(
            self.spec.method, self.spec.path, type(error).__name__, detail, _url_tried(error)
        )
        return self._after_failure(wrapped, failure_kind_for_error(error), None, cause=error)

    def _success(self, response: httpx.Response, body: JSONObject, is_json: bool) -> Done | Raise:
        """Return Done with the body (``{}`` if empty), or Raise when it is not a JSON object."""
        if is_json:
            return Done(body)
        error = CloseAPIError(
            self.spec.method,
            self.spec.path,
            response.status_code,
            {"error": "response body is not a JSON object", **body},
            self._redactor().headers(response.headers),
        )
        return Raise(error)

    def _after_failure(
        self,
        error: CloseError,
        kind: FailureKind,
        server_seconds: float | None,
        cause: BaseException | None = None,
    ) -> Wait | Raise:
        """Return Wait to retry, or Raise the error (or an unknown outcome)."""
        action = failure_action(kind, self.spec.method, retry_safe=self.spec.retry_safe)
        if action == "raise":
            return Raise(error, cause)
        if action == "unknown_outcome":
            unknown = CloseUnknownOutcomeError(
                self.spec.method, self.spec.path, type(cause or error).__name__, error.status
            )
            return Raise(unknown, cause or error)
        limited = kind == "rate_limited"
        self._rate_limited += limited
        delay = retry_delay(
            self._policy,
            attempt=self._rate_limited if limited else self._attempts - self._rate_limited,
            waited=self._waited,
            server_wait=server_seconds,
            rate_limited=limited,
        )
        if delay is None:
            return Raise(error, cause)
        self._stats.retries += 1
        self._waited += delay
        self._reserve_on_resume = True
        return self._wait(delay, f"{_reason(kind, error)}; retry {self._attempts + 1}")

    def _reserve(self) -> Send | Wait:
        """Return Send once the throttle grants a slot, else a Wait for it."""
        if self._throttle_waited >= self._policy.max_total_wait:
            return self._send()  # waited long enough for the throttle: the server decides
        slot = self._throttle.reserve(self._group, self._now())
        self._holding = slot.held
        self._reserve_on_resume = not slot.held
        if slot.delay <= 0 and slot.held:
            return self._send()
        self._throttle_waited += max(0.0, slot.delay)
        self._stats.throttled += 1
        state = "is close to its rate limit" if slot.held else "has no requests left"
        return self._wait(max(0.0, slot.delay), f"throttle: {self._group} {state}")

    def _send(self) -> Send:
        """Return Send, noting the send time (readings are dated by it: ``client/throttle.py``)."""
        self._sent_at = self._now()
        if self._holding:
            self._in_air = True
            self._throttle.sent(self._group, self._sent_at)
        return Send()

    def _now(self) -> float:
        """Return the clock, never earlier than the end of the last wait."""
        return max(self._clock(), self._resume_at)

    def _wait(self, seconds: float, reason: str) -> Wait:
        """Return a Wait step, logged and counted."""
        self._resume_at = self._now() + seconds
        self._stats.waited_seconds += seconds
        logger.info(
            "Close %s %s: waiting %.3f s (%s)", self.spec.method, self.spec.path, seconds, reason
        )
        return Wait(seconds, reason)

    def _count_attempt(self) -> None:
        """Count one HTTP attempt."""
        self._attempts += 1
        self._stats.requests += 1


def _url_tried(error: Exception) -> str | None:
    """Return the URL a transport error was sending to: no credentials, no query string."""
    if not isinstance(error, httpx.RequestError):
        return None
    try:
        url = error.request.url
    except RuntimeError:  # raised without a request (only by hand-made errors)
        return None
    return f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"


def _reason(kind: FailureKind, error: CloseError) -> str:
    """Return a short log reason for a retried failure."""
    if kind == "rate_limited":
        return "rate limited (429)"
    if isinstance(error, CloseTransportError):
        return f"transport error {error.cause_type}"
    return f"server error {error.status}"


def _no_secrets() -> Redactor:
    """Return a redactor that knows no secret (for attempts built without one)."""
    return Redactor(())


def _decoded_body(
    response: httpx.Response, redactor: Callable[[], Redactor]
) -> tuple[JSONObject, bool]:
    """Return ``(body, is_json)``: ``{}`` if empty, else the object or ``{"raw": text}``.

    A text that is not a JSON object is redacted (``redactor()`` builds the redactor, only
    then) before it is cut short, so no partial secret survives the cut.
    """
    content = response.content
    if not content.strip():
        return {}, True
    try:
        decoded = json.loads(content)
    except ValueError:
        decoded = None
    if isinstance(decoded, dict):
        return decoded, True
    return {"raw": redactor().text(response.text)[:_RAW_CHARS]}, False
