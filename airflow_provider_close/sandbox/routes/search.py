"""``/data/search/`` route (Advanced Filtering)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.routes.common import json_body, resource_routes
from airflow_provider_close.sandbox.search.data_search import run_search
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["search_routes"]


async def _search(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    return run_search(state, body, state.limits.limit_for("search"))


def search_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the ``/data/search/`` route.

    :param state: the sandbox state.
    """
    return resource_routes(state, "/data/search/", {"POST": _search})
