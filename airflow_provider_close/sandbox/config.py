"""Sandbox configuration values: credentials, rate-limit rules and their text specs.

Text specs are what the CLI and the ``/_sandbox/`` control endpoints accept:

* rate limit: ``LIMIT/WINDOW`` (the ``default`` group) or ``GROUP=LIMIT/WINDOW``, e.g.
  ``20/1`` or ``lead:write=5/1``; ``WINDOW`` is seconds and may be decimal.
* page limit: ``RESOURCE=N``, e.g. ``activity=500``.
* fault: ``KIND[:OPTION=VALUE[,OPTION=VALUE...]]`` (options and kinds in ``faults.py``).
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any, Literal, NamedTuple

from starlette.types import Scope

__all__ = [
    "API_PREFIX",
    "DEFAULT_RATE_RULE",
    "FAULT_SCOPE_KEY",
    "PRINCIPAL_SCOPE_KEY",
    "RateLimitBodyStyle",
    "RateRule",
    "api_path",
    "fault_spec_options",
    "is_api_path",
    "new_access_token",
    "new_api_key",
    "parse_page_limit_spec",
    "parse_rate_limit_spec",
    "random_base62",
]

API_PREFIX = "/api/v1"
PRINCIPAL_SCOPE_KEY = "sandbox.principal"
FAULT_SCOPE_KEY = "sandbox.fault"

RateLimitBodyStyle = Literal["legacy", "error", "none"]

_BASE62 = string.ascii_letters + string.digits
_RATE_SPEC = re.compile(
    r"^(?:(?P<group>[a-z_*]+(?::(?:read|write))?|default)=)?"
    r"(?P<limit>\d+)/(?P<window>\d+(?:\.\d+)?)$"
)
_PAGE_SPEC = re.compile(r"^(?P<resource>[a-z_]+)=(?P<value>\d+)$")
_FAULT_INT_OPTIONS = frozenset({"times", "every", "seed", "status", "delay_ms"})
_FAULT_FLOAT_OPTIONS = frozenset({"probability", "retry_after"})
_FAULT_TEXT_OPTIONS = frozenset({"method", "path"})


class RateRule(NamedTuple):
    """A rate limit: ``limit`` requests per ``window`` seconds."""

    limit: int
    window: float


DEFAULT_RATE_RULE = RateRule(limit=1000, window=1.0)


def random_base62(length: int) -> str:
    """Return ``length`` random base62 characters."""
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def new_api_key() -> str:
    """Return a random key shaped like a Close API key (``api_<22>.<22>``)."""
    return f"api_{random_base62(22)}.{random_base62(22)}"


def new_access_token() -> str:
    """Return a random OAuth-style access token."""
    return f"access_{random_base62(40)}"


def parse_rate_limit_spec(spec: str) -> tuple[str, RateRule]:
    """Parse ``LIMIT/WINDOW`` or ``GROUP=LIMIT/WINDOW`` into ``(group, rule)``.

    :param spec: the text spec, e.g. ``"20/1"`` or ``"lead:write=5/1"``.
    """
    match = _RATE_SPEC.match(spec.strip())
    if match is None:
        raise ValueError(f"bad rate limit {spec!r}: expected LIMIT/WINDOW or GROUP=LIMIT/WINDOW")
    rule = RateRule(limit=int(match["limit"]), window=float(match["window"]))
    if rule.limit < 1 or rule.window <= 0:
        raise ValueError(f"bad rate limit {spec!r}: limit and window must be positive")
    return match["group"] or "default", rule


def parse_page_limit_spec(spec: str) -> tuple[str, int]:
    """Parse ``RESOURCE=N`` into ``(resource, n)``.

    :param spec: the text spec, e.g. ``"activity=500"``.
    """
    match = _PAGE_SPEC.match(spec.strip())
    if match is None:
        raise ValueError(f"bad page limit {spec!r}: expected RESOURCE=N, e.g. activity=500")
    return match["resource"], int(match["value"])


def fault_spec_options(spec: str) -> dict[str, Any]:
    """Parse ``KIND[:OPTION=VALUE,...]`` into ``{"kind": KIND, OPTION: typed value, ...}``.

    :param spec: e.g. ``"server_error:status=503,path=/lead/*,times=2"``.
    """
    kind, _, options_text = spec.strip().partition(":")
    options: dict[str, Any] = {"kind": kind}
    for item in filter(None, (part.strip() for part in options_text.split(","))):
        name, equals, value = item.partition("=")
        if not equals:
            raise ValueError(f"bad fault option {item!r} in {spec!r}: expected NAME=VALUE")
        options[name] = _fault_option_value(name, value, spec)
    return options


def _fault_option_value(name: str, value: str, spec: str) -> Any:
    """Return a fault option's value converted to its type."""
    try:
        if name in _FAULT_INT_OPTIONS:
            return int(value)
        if name in _FAULT_FLOAT_OPTIONS:
            return float(value)
    except ValueError:
        raise ValueError(f"bad value {value!r} for fault option {name!r} in {spec!r}") from None
    if name in _FAULT_TEXT_OPTIONS:
        return value
    raise ValueError(f"unknown fault option {name!r} in {spec!r}")


def is_api_path(path: str) -> bool:
    """Return whether a raw request path is under the Close API prefix.

    :param path: the raw ASGI path.
    """
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def api_path(scope: Scope) -> str:
    """Return the request path relative to ``/api/v1`` (``"/lead/"``), or the raw path.

    :param scope: the ASGI scope.
    """
    path = str(scope["path"])
    if is_api_path(path):
        return path[len(API_PREFIX) :] or "/"
    return path
