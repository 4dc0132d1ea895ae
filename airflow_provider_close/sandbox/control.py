"""Control endpoints under ``/_sandbox/`` (not Close paths): loopback clients only, no auth.

- ``POST /_sandbox/reset``: ``{"seed": "demo" | null}``; without ``seed``, the configured one.
- ``GET|POST|DELETE /_sandbox/faults``: POST a fault object, ``{"spec": "KIND:..."}`` or a list.
- ``GET|POST /_sandbox/rate_limits``: ``{"group": "lead:write", "limit": 5,
  "window_seconds": 1}`` or ``{"spec": "lead:write=5/1"}``.
- ``GET|POST /_sandbox/latency``: ``{"ms": 200}``.
- ``GET|POST /_sandbox/limits``: ``{"max_limit": {...}, "max_skip": {...}}``.
- ``GET /_sandbox/requests``.
- ``GET|POST /_sandbox/search_lag``: ``{"seconds": 60}`` (how long lead and contact writes
  take to reach search).
- ``GET|POST|DELETE /_sandbox/page_hooks``: POST ``{"path": "/lead/", "page": 1, "mutations":
  [{"op": "delete", "path": "/lead/lead_…/"}, ...]}`` (or a list) to change data mid-walk.
- ``GET|POST /_sandbox/clock``: ``{"set": ISO-8601}``, ``{"advance": seconds}`` or
  ``{"reset": true}``.
- ``GET|POST /_sandbox/oauth``: ``{"access_token_lifetime": seconds,
  "revoke_access_on_refresh": bool, "token_delay_ms": ms}``, ``{"issue": client_id | null}``
  (answers a fresh token grant, as if a user authorised the app) or ``{"revoke": token}``; GET
  lists the settings, the client ids and every token-endpoint call (``grants``).

Bad input answers ``400 {"error": ...}``. Every route sits behind ``control_guard.ControlGuard``
(loopback ``Host``, own ``Origin``, JSON writes) and ``body_limits.BodyLimitMiddleware``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from airflow_provider_close.sandbox.app import RequestRecord
from airflow_provider_close.sandbox.body_limits import decoded_json
from airflow_provider_close.sandbox.clock import SandboxClock
from airflow_provider_close.sandbox.config import RateRule, parse_rate_limit_spec
from airflow_provider_close.sandbox.errors import CloseSandboxError
from airflow_provider_close.sandbox.faults import Fault, FaultStatus, parse_fault_spec
from airflow_provider_close.sandbox.oauth import OAuthServer
from airflow_provider_close.sandbox.page_hooks import PageHook, PageHookStatus

__all__ = ["SandboxControls", "control_routes"]

Endpoint = Callable[[Request], Awaitable[Response]]


class SandboxControls(Protocol):
    """What the control endpoints drive (implemented by ``CloseSandbox``)."""

    clock: SandboxClock
    oauth: OAuthServer

    def issue_oauth_tokens(self, client_id: str | None = None) -> dict[str, object]:
        """Mint a token grant for an OAuth app."""

    @property
    def state(self) -> Any:
        """The resource state (its ``limits`` are read)."""

    @property
    def faults(self) -> list[FaultStatus]:
        """The armed faults as JSON."""

    @property
    def rate_limits(self) -> dict[str, RateRule]:
        """The rate-limit rules by group."""

    @property
    def latency_ms(self) -> int:
        """The added latency."""

    @property
    def requests(self) -> list[RequestRecord]:
        """The request log."""

    @property
    def seed(self) -> str | None:
        """The seed a plain reset loads."""

    def reset(self, seed: str | None = ...) -> None:
        """Reset everything (by default to the configured seed)."""

    def add_fault(self, fault: Fault) -> None:
        """Arm a fault."""

    def clear_faults(self) -> None:
        """Disarm all faults."""

    @property
    def page_hooks(self) -> list[PageHookStatus]:
        """The armed mid-walk page hooks as JSON."""

    def add_page_hook(self, hook: PageHook) -> None:
        """Arm a mid-walk page hook."""

    def clear_page_hooks(self) -> None:
        """Disarm all page hooks."""

    def set_rate_limit(self, group: str, limit: int, window_seconds: float) -> None:
        """Set a group's rate limit."""

    def set_latency(self, ms: int) -> None:
        """Set the added latency."""

    def set_limits(
        self, max_limit: dict[str, int] | None = None, max_skip: dict[str, int] | None = None
    ) -> None:
        """Replace the page limits."""

    @property
    def search_lag(self) -> float:
        """The search index lag in seconds."""

    def set_search_lag(self, seconds: float) -> None:
        """Set the search index lag."""


async def _json_body(request: Request) -> Any:
    """Return the request's JSON body ({} when empty)."""
    raw = await request.body()
    return decoded_json(raw) if raw.strip() else {}


def _guarded(handler: Endpoint) -> Endpoint:
    """Refuse non-loopback clients and turn bad input into ``400 {"error": ...}``."""

    async def endpoint(request: Request) -> Response:
        host = request.client.host if request.client else ""
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return JSONResponse({"error": "control endpoints are loopback-only"}, 403)
        try:
            return await handler(request)
        except CloseSandboxError as error:
            return JSONResponse(error.body, status_code=error.status)
        except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as exc:
            return JSONResponse({"error": f"bad control request: {exc}"}, 400)

    return endpoint


def _fault_of(item: Any) -> Fault:
    """Return the fault described by a JSON object or ``{"spec": ...}``."""
    if "spec" in item:
        return parse_fault_spec(str(item["spec"]))
    return Fault.from_json(item)


def _rate_rule_of(body: Any) -> tuple[str, RateRule]:
    """Return ``(group, rule)`` from ``{"spec": ...}`` or group/limit/window_seconds."""
    if "spec" in body:
        return parse_rate_limit_spec(str(body["spec"]))
    group = str(body.get("group", "default"))
    return group, RateRule(int(body["limit"]), float(body["window_seconds"]))


def _requests_json(records: list[RequestRecord]) -> list[dict[str, Any]]:
    """Return request records as JSON objects."""
    return [record._asdict() for record in records]


def control_routes(controls: SandboxControls) -> list[BaseRoute]:
    """Return the ``/_sandbox/`` routes driving ``controls``.

    :param controls: the sandbox to control.
    """

    async def reset(request: Request) -> Response:
        body = await _json_body(request)
        seed = body.get("seed", controls.seed)
        controls.reset(seed=seed)
        return JSONResponse({"reset": True, "seed": seed})

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            body = await _json_body(request)
            for fault in [_fault_of(item) for item in (body if isinstance(body, list) else [body])]:
                controls.add_fault(fault)
        elif request.method == "DELETE":
            controls.clear_faults()
        return JSONResponse({"faults": controls.faults})

    async def page_hooks(request: Request) -> Response:
        if request.method == "POST":
            body = await _json_body(request)
            items = body if isinstance(body, list) else [body]
            for hook in [PageHook.from_json(item) for item in items]:
                controls.add_page_hook(hook)
        elif request.method == "DELETE":
            controls.clear_page_hooks()
        return JSONResponse({"page_hooks": controls.page_hooks})

    async def rate_limits(request: Request) -> Response:
        if request.method == "POST":
            group, rule = _rate_rule_of(await _json_body(request))
            controls.set_rate_limit(group, rule.limit, rule.window)
        rules = {
            g: {"limit": r.limit, "window_seconds": r.window}
            for g, r in controls.rate_limits.items()
        }
        return JSONResponse({"rate_limits": rules})

    async def latency(request: Request) -> Response:
        if request.method == "POST":
            controls.set_latency(int((await _json_body(request))["ms"]))
        return JSONResponse({"ms": controls.latency_ms})

    async def limits(request: Request) -> Response:
        if request.method == "POST":
            body = await _json_body(request)
            controls.set_limits(max_limit=body.get("max_limit"), max_skip=body.get("max_skip"))
        current = controls.state.limits
        return JSONResponse({"max_limit": current.max_limit, "max_skip": current.max_skip})

    async def requests(_request: Request) -> Response:
        return JSONResponse({"requests": _requests_json(controls.requests)})

    async def search_lag(request: Request) -> Response:
        if request.method == "POST":
            controls.set_search_lag(float((await _json_body(request))["seconds"]))
        return JSONResponse({"seconds": controls.search_lag})

    async def clock(request: Request) -> Response:
        if request.method == "POST":
            _drive_clock(controls.clock, await _json_body(request))
        return JSONResponse(
            {"now": controls.clock.now().isoformat(), "frozen": controls.clock.frozen}
        )

    async def oauth(request: Request) -> Response:
        if request.method == "POST":
            body = await _json_body(request)
            if "issue" in body:
                return JSONResponse(controls.issue_oauth_tokens(body["issue"]))
            if "revoke" in body:
                controls.oauth.revoke(str(body["revoke"]))
            controls.oauth.configure(
                access_token_lifetime=body.get("access_token_lifetime"),
                revoke_access_on_refresh=body.get("revoke_access_on_refresh"),
                token_delay_ms=body.get("token_delay_ms"),
            )
        return JSONResponse(_oauth_json(controls.oauth))

    table: list[tuple[str, Endpoint, list[str]]] = [
        ("reset", reset, ["POST"]),
        ("faults", faults, ["GET", "POST", "DELETE"]),
        ("page_hooks", page_hooks, ["GET", "POST", "DELETE"]),
        ("rate_limits", rate_limits, ["GET", "POST"]),
        ("latency", latency, ["GET", "POST"]),
        ("limits", limits, ["GET", "POST"]),
        ("requests", requests, ["GET"]),
        ("clock", clock, ["GET", "POST"]),
        ("oauth", oauth, ["GET", "POST"]),
        ("search_lag", search_lag, ["GET", "POST"]),
    ]
    return [
        Route(f"/_sandbox/{name}", _guarded(handler), methods=methods)
        for name, handler, methods in table
    ]


def _oauth_json(server: OAuthServer) -> dict[str, Any]:
    """Return the OAuth settings, client ids and grant log as JSON (no secrets)."""
    return {
        "access_token_lifetime": server.access_token_lifetime,
        "revoke_access_on_refresh": server.revoke_access_on_refresh,
        "token_delay_ms": server.token_delay_ms,
        "client_ids": sorted(server.clients),
        "grants": [{**grant._asdict(), "at": grant.at.isoformat()} for grant in server.grants],
    }


def _drive_clock(clock: SandboxClock, body: Any) -> None:
    """Apply one clock command: ``set`` (ISO-8601), ``advance`` (seconds) or ``reset``."""
    if "set" in body:
        clock.set(datetime.fromisoformat(str(body["set"]).replace("Z", "+00:00")))
    elif "advance" in body:
        clock.advance(float(body["advance"]))
    elif body.get("reset"):
        clock.reset()
    else:
        raise ValueError('expected {"set": ISO-8601}, {"advance": seconds} or {"reset": true}')
