"""The faults layer without a server: the fallback drop when no transport is known."""

from __future__ import annotations

import pytest
from starlette.types import Message, Receive, Scope, Send

from airflow_provider_close.sandbox import Fault
from airflow_provider_close.sandbox.faults import FaultPlan
from airflow_provider_close.sandbox.injection import FaultMiddleware
from airflow_provider_close.sandbox.ratelimit import RateLimiter


async def test_without_a_transport_a_drop_breaks_the_response_midway() -> None:
    applied: list[str] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        applied.append(scope["path"])

    async def cannot_drop(_scope: Scope) -> bool:
        return False

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    layer = FaultMiddleware(
        inner,
        plan=FaultPlan([Fault("drop_after")]),
        limiter=RateLimiter(),
        latency_ms=lambda: 0,
        drop_connection=cannot_drop,
        epoch=lambda: 0,
    )
    scope = {"type": "http", "method": "POST", "path": "/api/v1/lead/", "headers": []}
    with pytest.raises(ConnectionAbortedError):
        await layer(scope, receive, send)
    assert applied == ["/api/v1/lead/"]
    assert sent == [
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]}
    ]
    assert scope["sandbox.fault"] == "drop_after"
