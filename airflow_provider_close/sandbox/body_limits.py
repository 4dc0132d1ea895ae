"""Request bodies the sandbox refuses before any route sees them, never with a 500.

Close documents no request-size or nesting limit (close-api.md §9.7), so the sandbox takes the
less convenient side and lists these in ``COVERAGE.md``:

- a body over :data:`MAX_BODY_BYTES` answers ``413 {"error": ...}`` (counted while reading,
  so a chunked body is caught too; the rest is read and dropped, up to 4x the limit, so the
  client sees the 413 rather than a reset connection);
- JSON that is not strict JSON (``NaN``, ``Infinity``), nests deeper than
  :data:`MAX_JSON_DEPTH`, or holds a number outside a signed 64-bit integer / a finite double
  (Close stores its data in MongoDB) answers ``400 {"error": ...}``.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_close.sandbox.errors import INVALID_JSON, BadRequest

__all__ = ["MAX_BODY_BYTES", "MAX_JSON_DEPTH", "BodyLimitMiddleware", "decoded_json"]

#: The largest request body accepted (10 MiB: far above any Close write, well below harm).
MAX_BODY_BYTES: Final = 10 * 1024 * 1024
#: The deepest JSON nesting accepted (Close's deepest documented bodies, search queries, use ~10).
MAX_JSON_DEPTH: Final = 64
_INT64 = 2**63
#: Past this many bytes an oversized body is no longer drained: the 413 is sent at once.
_DRAIN_BYTES: Final = 4 * MAX_BODY_BYTES


def _refuse_constant(name: str) -> Any:
    raise BadRequest(f"{INVALID_JSON} {name} is not a JSON number.")


def _checked_int(text: str) -> int:
    value = int(text)
    if not -_INT64 <= value < _INT64:
        raise BadRequest(f"{INVALID_JSON} The number {text[:40]} is too large.")
    return value


def _checked_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadRequest(f"{INVALID_JSON} The number {text[:40]} is too large.")
    return value


def _check_depth(value: Any) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"{INVALID_JSON} It nests deeper than {MAX_JSON_DEPTH} levels.")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def decoded_json(raw: bytes) -> Any:
    """Return the JSON value of a request body, or raise :class:`BadRequest` in Close's shape.

    :param raw: the body (not empty).
    """
    try:
        value = json.loads(
            raw,
            parse_constant=_refuse_constant,
            parse_int=_checked_int,
            parse_float=_checked_float,
        )
    except BadRequest:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest(INVALID_JSON) from None
    _check_depth(value)
    return value


def _too_large() -> JSONResponse:
    return JSONResponse(
        {"error": f"Request body too large: the limit is {MAX_BODY_BYTES} bytes."},
        status_code=413,
    )


class BodyLimitMiddleware:
    """Pure-ASGI middleware: reads the body (up to the limit), answers 413 past it.

    :param app: the inner app; it receives the body replayed as one message.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse an oversized body, or pass the request on with its body.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > _DRAIN_BYTES:
            await _too_large()(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await _too_large()(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _read_body(receive: Receive) -> bytes | None:
    """Return the whole body, or ``None`` if it passes :data:`MAX_BODY_BYTES` (then drained)."""
    chunks: list[bytes] = []
    size = 0
    while size <= _DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return None if size > MAX_BODY_BYTES else b"".join(chunks)
