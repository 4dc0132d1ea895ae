"""A tiny stand-in for the sandbox's resource layer, so the traffic layers are tested alone.

It keeps leads in a dict and serves ``GET /me/``, ``GET|POST /lead/`` and ``GET /lead/{id}/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from airflow_provider_close.sandbox import server
from airflow_provider_close.sandbox.server import Resources


@dataclass
class FakeLimits:
    max_limit: dict[str, int] = field(default_factory=dict)
    max_skip: dict[str, int] = field(default_factory=dict)


class FakeState:
    def __init__(self, now: Callable[[], datetime], limits: FakeLimits) -> None:
        self.now = now
        self.limits = limits
        self.leads: dict[str, dict[str, Any]] = {}
        self.me = {"id": "user_fake", "email": "me@example.com"}
        # The server sets the search lag on it; this layer has no search to delay.
        self.search_index = SimpleNamespace(lag_seconds=0.0, clear=lambda: None)

    def reset(self) -> None:
        self.leads = {}


def _routes(state: FakeState) -> list[BaseRoute]:
    async def me(_request: Request) -> JSONResponse:
        return JSONResponse(state.me)

    async def leads(request: Request) -> JSONResponse:
        if request.method == "POST":
            lead = {"id": f"lead_{len(state.leads) + 1}", **(await request.json())}
            lead["date_created"] = state.now().isoformat()
            state.leads[lead["id"]] = lead
            return JSONResponse(lead)
        return JSONResponse({"data": list(state.leads.values()), "has_more": False})

    async def lead(request: Request) -> JSONResponse:
        found = state.leads.get(request.path_params["lead_id"])
        if found is None:
            return JSONResponse({"error": "Empty query"}, status_code=404)
        return JSONResponse(found)

    return [
        Route("/me/", me),
        Route("/lead/", leads, methods=["GET", "POST"]),
        Route("/lead/{lead_id}/", lead),
    ]


def _seed_demo(state: FakeState) -> None:
    state.leads["lead_demo"] = {"id": "lead_demo", "name": "Demo lead"}


def fake_resources() -> Resources:
    """Return the fake resource layer."""
    return Resources(
        new_state=FakeState,  # type: ignore[arg-type]
        page_limits=lambda max_limit, max_skip: FakeLimits(  # type: ignore[arg-type,return-value]
            dict(max_limit or {}), dict(max_skip or {})
        ),
        seeds={"demo": _seed_demo},  # type: ignore[dict-item]
        close_routes=_routes,  # type: ignore[arg-type]
    )


@pytest.fixture
def fake_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make new sandboxes use the fake resource layer."""
    monkeypatch.setattr(server, "load_resources", fake_resources)
