"""Parsing of Close's rate-limit signals: ``RateLimit``, ``Retry-After`` and the legacy body.

All functions are pure. Header lookups are case-insensitive whatever mapping is passed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

__all__ = [
    "RateLimitInfo",
    "legacy_rate_reset",
    "parse_rate_limit",
    "parse_retry_after",
    "rate_limit_from_headers",
    "server_wait",
]

_PAIR_RE = re.compile(r"([A-Za-z_-]+)\s*=\s*\"?\s*(-?\d+(?:\.\d+)?)\s*\"?")
_KEYS = {
    "limit": "limit",
    "remaining": "remaining",
    "reset": "reset",
    "r": "remaining",
    "t": "reset",
}
_SPLIT_PREFIXES = ("ratelimit-", "x-ratelimit-", "x-rate-limit-")


@dataclass(frozen=True)
class RateLimitInfo:
    """One ``RateLimit`` reading: the limit closest to being hit.

    :param limit: requests allowed in the window (``None`` when the header omitted it).
    :param remaining: requests left in the window.
    :param reset: seconds until the window ends (may be fractional).
    """

    limit: int | None
    remaining: int
    reset: float


def parse_rate_limit(value: str) -> RateLimitInfo | None:
    """Return the most constrained reading in a ``RateLimit`` header value, else ``None``.

    Accepts ``limit=100, remaining=50, reset=5`` with commas or semicolons, decimals and
    any spacing; a repeated key starts a new reading (several limits joined in one header).

    :param value: the raw header value.
    """
    readings: list[dict[str, float]] = [{}]
    for raw_key, number in _PAIR_RE.findall(value):
        key = _KEYS.get(raw_key.lower())
        if key is None:
            continue
        if key in readings[-1]:
            readings.append({})
        readings[-1][key] = float(number)
    infos = [info for info in map(_info_from, readings) if info is not None]
    return min(infos, key=lambda i: (i.remaining, -i.reset)) if infos else None


def rate_limit_from_headers(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """Return the rate-limit reading from response headers, else ``None``.

    Uses ``RateLimit``, else the split ``RateLimit-Limit/-Remaining/-Reset`` form, else the
    legacy ``X-Rate-Limit-*`` headers.

    :param headers: response headers (any case).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    combined = lowered.get("ratelimit")
    if combined is not None:
        parsed = parse_rate_limit(combined)
        if parsed is not None:
            return parsed
    for prefix in _SPLIT_PREFIXES:
        parts = [f"{name}={lowered[prefix + name]}" for name in _KEYS if prefix + name in lowered]
        if parts:
            parsed = parse_rate_limit(", ".join(parts))
            if parsed is not None:
                return parsed
    return None


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Return the seconds a ``Retry-After`` value asks for (never negative), else ``None``.

    :param value: delta-seconds (integer or decimal) or an HTTP-date.
    :param now: the current time for an HTTP-date (defaults to the wall clock).
    """
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def legacy_rate_reset(body: object) -> float | None:
    """Return ``error.rate_reset`` from a legacy 429 body, else ``None``.

    :param body: the decoded JSON body (anything; non-dicts give ``None``).
    """
    error = body.get("error") if isinstance(body, dict) else None
    reset: Any = error.get("rate_reset") if isinstance(error, dict) else None
    if isinstance(reset, bool) or not isinstance(reset, int | float | str):
        return None
    try:
        seconds = float(reset)
    except ValueError:
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def server_wait(
    headers: Mapping[str, str], body: object, now: datetime | None = None
) -> float | None:
    """Return how long the server asks us to wait: Retry-After, RateLimit reset, legacy body.

    :param headers: response headers (any case).
    :param body: decoded JSON body, or ``None``.
    :param now: the current time, for an HTTP-date ``Retry-After``.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    if "retry-after" in lowered:
        seconds = parse_retry_after(lowered["retry-after"], now)
        if seconds is not None:
            return seconds
    info = rate_limit_from_headers(lowered)
    if info is not None:
        return max(0.0, info.reset)
    return legacy_rate_reset(body)


def _info_from(reading: Mapping[str, float]) -> RateLimitInfo | None:
    """Return a reading as :class:`RateLimitInfo` when it has remaining and reset."""
    if "remaining" not in reading or "reset" not in reading:
        return None
    limit = reading.get("limit")
    return RateLimitInfo(
        limit=int(limit) if limit is not None else None,
        remaining=max(0, int(reading["remaining"])),
        reset=max(0.0, reading["reset"]),
    )


def _seconds_until(http_date: str, now: datetime | None) -> float | None:
    """Return the seconds from ``now`` until an HTTP-date, else ``None`` if unparsable."""
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (moment - current).total_seconds())
