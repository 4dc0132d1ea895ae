"""Reading Close's error bodies and headers: the message, ``max_skip``, the request id (pure)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["JSONObject", "error_summary", "max_limit_in", "max_skip_in", "request_id"]

#: A decoded JSON object as Close sends it.
JSONObject = dict[str, Any]

_MAX_SKIP_RE = re.compile(r"maximum skip.*?max_skip\s*=\s*(\d+)", re.IGNORECASE | re.DOTALL)
_MAX_LIMIT_RE = re.compile(r"maximum limit.*?max_limit\s*=\s*(\d+)", re.IGNORECASE | re.DOTALL)
_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-close-request-id", "close-request-id")
_SUMMARY_CHARS = 300


def max_skip_in(body: JSONObject) -> int | None:
    """Return ``max_skip`` from a Close "skip too large" body, else ``None``.

    :param body: decoded JSON error body.
    """
    return _number_in(body, _MAX_SKIP_RE)


def max_limit_in(body: JSONObject) -> int | None:
    """Return ``max_limit`` from a Close "limit too large" body, else ``None``.

    Close answers ``The limit you set is larger than the maximum limit for this resource
    (max_limit = N).`` (close-api.md §3).

    :param body: decoded JSON error body.
    """
    return _number_in(body, _MAX_LIMIT_RE)


def _number_in(body: JSONObject, pattern: re.Pattern[str]) -> int | None:
    """Return the number ``pattern`` captures in the body's ``error`` message, else ``None``."""
    message = body.get("error")
    if not isinstance(message, str):
        return None
    match = pattern.search(message)
    return int(match.group(1)) if match else None


def request_id(headers: Mapping[str, str]) -> str | None:
    """Return the request id from the first header that carries one, else ``None``.

    :param headers: response headers, lower-cased names.
    """
    return next((headers[name] for name in _REQUEST_ID_HEADERS if headers.get(name)), None)


def error_summary(body: JSONObject) -> str:
    """Return a short, one-line summary of Close's error body.

    :param body: decoded JSON error body (``{"raw": text}`` if it was not JSON).
    """
    error = body.get("error")
    if isinstance(error, str):
        text = error
    elif isinstance(error, dict) and isinstance(error.get("message"), str):
        text = error["message"]
    elif body.get("errors") or body.get("field-errors"):
        text = f"errors={body.get('errors') or []} field-errors={body.get('field-errors') or {}}"
    else:
        text = str(body.get("raw", ""))
    text = " ".join(text.split())
    return text if len(text) <= _SUMMARY_CHARS else text[: _SUMMARY_CHARS - 1] + "…"
