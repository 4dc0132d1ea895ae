"""Every path and method the sandbox serves exists in Close's OpenAPI document.

The document's paths are in ``fixtures/openapi_paths.json`` (made by
``fixtures/extract_openapi_paths.py``). ``/data/search/`` is missing from that copy
(close-api.md §8), so it is the one documented exception.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from starlette.routing import Route

from airflow_provider_close.sandbox.limits import PageLimits
from airflow_provider_close.sandbox.routes import close_routes
from airflow_provider_close.sandbox.routes.common import CloseEndpoint
from airflow_provider_close.sandbox.state import SandboxState

OPENAPI_PATHS: dict[str, list[str]] = json.loads(
    (Path(__file__).parent / "fixtures" / "openapi_paths.json").read_text(encoding="utf-8")
)
NOT_IN_OPENAPI_COPY = {"/data/search/": {"POST"}}


def _served() -> dict[str, set[str]]:
    state = SandboxState(now=lambda: datetime.now(UTC), limits=PageLimits.defaults())
    served: dict[str, set[str]] = {}
    for route in close_routes(state):
        assert isinstance(route, Route)
        assert isinstance(route.app, CloseEndpoint)
        if route.path.endswith("/"):
            served[route.path] = set(route.app.methods)
    return served


def _openapi_form(path: str) -> str:
    """Return ``path`` with every ``{name}`` parameter renamed to OpenAPI's ``{id}``."""
    parts = ["{id}" if part.startswith("{") else part for part in path.split("/")]
    return "/".join(parts)


def test_every_served_operation_is_in_the_openapi_document() -> None:
    missing = []
    for path, methods in _served().items():
        documented = set(OPENAPI_PATHS.get(_openapi_form(path), []))
        documented |= NOT_IN_OPENAPI_COPY.get(path, set())
        missing += [f"{method} {path}" for method in sorted(methods - documented)]
    assert missing == []


def test_every_path_is_also_served_without_its_trailing_slash() -> None:
    state = SandboxState(now=lambda: datetime.now(UTC), limits=PageLimits.defaults())
    paths = {route.path for route in close_routes(state) if isinstance(route, Route)}
    assert {path.rstrip("/") for path in paths if path.endswith("/")} <= paths


def test_the_fixture_is_the_documented_copy() -> None:
    assert len(OPENAPI_PATHS) == 152
    assert sum(len(methods) for methods in OPENAPI_PATHS.values()) == 286
    assert "/data/search/" not in OPENAPI_PATHS
