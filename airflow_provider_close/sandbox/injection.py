"""The faults-and-latency ASGI layer: delays every API request, then applies scripted faults.

What each fault kind does is described in ``faults.py``. Waits (latency, ``delay_ms``) are
cut short when the sandbox resets or stops: the request is then dropped unapplied.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_close.sandbox.config import FAULT_SCOPE_KEY, api_path
from airflow_provider_close.sandbox.faults import Fault, FaultPlan
from airflow_provider_close.sandbox.ratelimit import (
    RateDecision,
    RateLimiter,
    rate_limited_response,
    request_group,
)

__all__ = ["FaultMiddleware"]

_WAIT_SLICE_S = 0.05


def _fault_response(fault: Fault, scope: Scope, limiter: RateLimiter) -> Response:
    """Return the response a 429 or 5xx fault answers with."""
    if fault.kind == "server_error":
        if fault.status == 500:
            return JSONResponse({"error": "Internal Server Error"}, status_code=500)
        page = f"<html><body><h1>{fault.status} Gateway error</h1></body></html>"
        return HTMLResponse(page, status_code=fault.status)
    rule = limiter.rule_for(request_group(scope))
    refusal = RateDecision(False, rule.limit, 0, fault.retry_after, rule.window)
    if fault.kind == "rate_limit_no_body":
        return rate_limited_response(refusal, "none", with_rate_limit=False)
    return rate_limited_response(refusal, "legacy")


class FaultMiddleware:
    """Pure-ASGI middleware adding latency and applying the scripted faults."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        plan: FaultPlan,
        limiter: RateLimiter,
        latency_ms: Callable[[], int],
        drop_connection: Callable[[Scope], Awaitable[bool]],
        epoch: Callable[[], int],
    ) -> None:
        """Wrap ``app``.

        :param app: the inner ASGI app (auth, rate limit, routes).
        :param plan: the armed faults.
        :param limiter: rate-limit rules, quoted by injected 429s.
        :param latency_ms: returns the latency to add to every request.
        :param drop_connection: closes a request's TCP connection; False if it cannot.
        :param epoch: changes on every reset and stop; a request still waiting (latency or
            ``delay_ms``) when it changes is dropped unapplied, so it cannot leak into the
            next test's state or hold up shutdown.
        """
        self.app = app
        self.plan = plan
        self.limiter = limiter
        self.latency_ms = latency_ms
        self.drop_connection = drop_connection
        self.epoch = epoch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Delay, then apply the request's fault if one fires, else pass it on.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        epoch = self.epoch()

        def same_epoch() -> bool:
            return self.epoch() == epoch

        if not await _waited(self.latency_ms(), same_epoch):
            await self._drop(scope, send)
            return
        fault = self.plan.take(str(scope["method"]), api_path(scope))
        if fault is None:
            await self.app(scope, receive, send)
            return
        scope[FAULT_SCOPE_KEY] = fault.kind
        if not await _waited(fault.delay_ms, same_epoch):
            await self._drop(scope, send)
            return
        await self._apply(fault, scope, receive, send)

    async def _apply(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.kind == "slow":
            await self.app(scope, receive, send)
        elif fault.kind in ("drop_before", "drop_after"):
            if fault.kind == "drop_after":
                await self.app(scope, receive, _discard)
            await self._drop(scope, send)
        else:
            await _fault_response(fault, scope, self.limiter)(scope, receive, send)

    async def _drop(self, scope: Scope, send: Send) -> None:
        if await self.drop_connection(scope):
            return
        # No handle on the transport: start a response the server cannot finish, then fail,
        # which makes uvicorn close the connection mid-response.
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]}
        )
        raise ConnectionAbortedError("sandbox fault: connection dropped")


async def _discard(message: Message) -> None:
    """Swallow a response message (the client never receives it)."""
    del message


async def _waited(milliseconds: int, still_current: Callable[[], bool]) -> bool:
    """Sleep in short slices (other requests overlap); False once ``still_current`` fails."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + milliseconds / 1000
    while (left := deadline - loop.time()) > 0:
        if not still_current():
            return False
        await asyncio.sleep(min(left, _WAIT_SLICE_S))
    return still_current()
