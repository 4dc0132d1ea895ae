"""Close's rate limiting: per endpoint group, per API key and per organisation (close-api.md §4).

A group is ``"<resource>:<read|write>"`` from the first path segment and the method
(``GET /lead/...`` -> ``lead:read``, ``POST /activity/call/`` -> ``activity:write``,
``POST /data/search/`` -> ``data:read``); groups without a rule use ``default``. Windows are
fixed and use real monotonic time. The organisation may make 3x the per-key limit. Every
counted response carries ``RateLimit: limit=N, remaining=M, reset=S``; a refused one is a 429
with ``RateLimit``, ``Retry-After`` (reset rounded up) and a body in the configured style.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_close.sandbox.config import (
    DEFAULT_RATE_RULE,
    PRINCIPAL_SCOPE_KEY,
    RateLimitBodyStyle,
    RateRule,
    api_path,
)

__all__ = [
    "ORG_LIMIT_FACTOR",
    "RateDecision",
    "RateLimitMiddleware",
    "RateLimiter",
    "endpoint_group",
    "rate_limit_header",
    "rate_limited_response",
    "request_group",
]

ORG_LIMIT_FACTOR = 3
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_ONLY_POST_RESOURCES = frozenset({"data"})
_ORG = "\x00org"


def endpoint_group(method: str, path: str, method_override: str | None = None) -> str:
    """Return the rate-limit group of a request, e.g. ``"lead:read"``.

    :param method: the HTTP method.
    :param path: the path under ``/api/v1`` (``"/lead/lead_x/"``).
    :param method_override: the ``x-http-method-override`` header, if any.
    """
    resource = path.strip("/").split("/", 1)[0] or "root"
    effective = (method_override or method).upper()
    is_read = effective in _READ_METHODS or (
        effective == "POST" and resource in _READ_ONLY_POST_RESOURCES
    )
    return f"{resource}:{'read' if is_read else 'write'}"


@dataclass(frozen=True)
class RateDecision:
    """The outcome of counting one request against its group's limits."""

    allowed: bool
    limit: int
    remaining: int
    reset: float
    window: float


def _seconds_text(seconds: float) -> str:
    """Return seconds as short decimal text (``"1"``, ``"0.25"``)."""
    return f"{seconds:.3f}".rstrip("0").rstrip(".") or "0"


def rate_limit_header(decision: RateDecision) -> str:
    """Return the ``RateLimit`` header value for a decision.

    :param decision: the decision to describe.
    """
    reset = _seconds_text(decision.reset)
    return f"limit={decision.limit}, remaining={decision.remaining}, reset={reset}"


def _legacy_body(decision: RateDecision) -> dict[str, Any]:
    """Return Close's legacy 429 body (deprecated by Close but still sent)."""
    window = _seconds_text(decision.window)
    return {
        "error": {
            "rate_reset": round(decision.reset, 3),
            "message": f"API call count exceeded for this {window} second window",
            "rate_limit": decision.limit,
            "rate_window": float(window) if "." in window else int(window),
        }
    }


def rate_limited_response(
    decision: RateDecision, style: RateLimitBodyStyle, *, with_rate_limit: bool = True
) -> Response:
    """Return a 429 response for a refused request.

    :param decision: the refusal (limit, reset, window).
    :param style: ``"legacy"`` body, ``{"error": "..."}`` or ``"none"`` (empty body).
    :param with_rate_limit: whether to send the ``RateLimit`` header besides ``Retry-After``.
    """
    headers = {"Retry-After": str(math.ceil(decision.reset))}
    if with_rate_limit:
        headers["RateLimit"] = rate_limit_header(decision)
    if style == "none":
        return Response(status_code=429, headers=headers)
    body = _legacy_body(decision)
    if style == "error":
        body = {"error": body["error"]["message"]}
    return JSONResponse(body, status_code=429, headers=headers)


class _Window:
    """One fixed window's counter."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.count = 0


class RateLimiter:
    """Fixed-window counters per (group, key) and per (group, organisation); thread-safe."""

    def __init__(
        self,
        rules: Mapping[str, RateRule] | None = None,
        *,
        body_style: RateLimitBodyStyle = "legacy",
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Create a limiter.

        :param rules: group -> rule; ``"default"`` applies to groups without their own rule.
        :param body_style: the 429 body style.
        :param monotonic: the time source (seconds).
        """
        self._lock = threading.Lock()
        self._monotonic = monotonic
        self._rules = _with_default(rules)
        self._windows: dict[tuple[str, str], _Window] = {}
        self.body_style: RateLimitBodyStyle = body_style

    def rules(self) -> dict[str, RateRule]:
        """Return a copy of the rules by group."""
        with self._lock:
            return dict(self._rules)

    def rule_for(self, group: str) -> RateRule:
        """Return the rule applying to ``group``.

        :param group: a group such as ``"lead:write"``.
        """
        with self._lock:
            return self._rules.get(group, self._rules["default"])

    def set_rule(self, group: str, rule: RateRule) -> None:
        """Set one group's rule and restart the windows it governs.

        :param group: a group such as ``"lead:write"``, or ``"default"``.
        :param rule: the new limit and window.
        """
        with self._lock:
            self._rules[group] = rule
            self._windows.clear()

    def reset(self, rules: Mapping[str, RateRule] | None = None) -> None:
        """Replace every rule and forget all counts.

        :param rules: group -> rule (``default`` is filled in if missing).
        """
        with self._lock:
            self._rules = _with_default(rules)
            self._windows.clear()

    def hit(self, group: str, principal: str) -> RateDecision:
        """Count one request, or refuse it when the key's or the org's window is full.

        :param group: the request's group.
        :param principal: the API key or token that made it.
        """
        with self._lock:
            rule = self._rules.get(group, self._rules["default"])
            now = self._monotonic()
            key_window = self._window((group, principal), rule, now)
            org_window = self._window((group, _ORG), rule, now)
            org_limit = rule.limit * ORG_LIMIT_FACTOR
            for window, limit in ((key_window, rule.limit), (org_window, org_limit)):
                if window.count >= limit:
                    return _decision(False, limit, window, rule, now)
            key_window.count += 1
            org_window.count += 1
            key_left, org_left = rule.limit - key_window.count, org_limit - org_window.count
            if org_left < key_left:
                return _decision(True, org_limit, org_window, rule, now)
            return _decision(True, rule.limit, key_window, rule, now)

    def _window(self, key: tuple[str, str], rule: RateRule, now: float) -> _Window:
        window = self._windows.get(key)
        if window is None or now >= window.start + rule.window:
            window = self._windows[key] = _Window(now)
        return window


def _with_default(rules: Mapping[str, RateRule] | None) -> dict[str, RateRule]:
    """Return ``rules`` as a dict that has a ``default`` rule."""
    return {"default": DEFAULT_RATE_RULE, **(rules or {})}


def _decision(
    allowed: bool, limit: int, window: _Window, rule: RateRule, now: float
) -> RateDecision:
    """Return the decision describing ``window``."""
    reset = max(window.start + rule.window - now, 0.0)
    remaining = max(limit - window.count, 0)
    return RateDecision(allowed, limit, remaining, reset, rule.window)


def _header(scope: Scope, name: bytes) -> str | None:
    """Return a request header's value, if present."""
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def request_group(scope: Scope) -> str:
    """Return the rate-limit group of an ASGI request.

    :param scope: the ASGI scope.
    """
    override = _header(scope, b"x-http-method-override")
    return endpoint_group(str(scope["method"]), api_path(scope), override)


class RateLimitMiddleware:
    """Pure-ASGI middleware: count the request, add ``RateLimit``, or answer 429."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        """Wrap ``app``.

        :param app: the inner ASGI app.
        :param limiter: the counters and rules.
        """
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count one authenticated HTTP request against its limits.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        principal = str(scope.get(PRINCIPAL_SCOPE_KEY, "anonymous"))
        decision = self.limiter.hit(request_group(scope), principal)
        if not decision.allowed:
            await rate_limited_response(decision, self.limiter.body_style)(scope, receive, send)
            return
        header = (b"ratelimit", rate_limit_header(decision).encode("latin-1"))

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        await self.app(scope, receive, send_with_header)
