"""``/opportunity/`` routes: list (filters + aggregates), create, get, update, delete."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.models.opportunities import (
    create_opportunity,
    update_opportunity,
)
from airflow_provider_close.sandbox.opportunity_queries import (
    opportunity_aggregates,
    opportunity_query,
)
from airflow_provider_close.sandbox.pagination import (
    fields_param,
    offset_page,
    offset_window,
    project,
    project_all,
)
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.routes.common import (
    json_body,
    query_params,
    request_meta,
    resource_routes,
)
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["opportunity_routes"]


async def _list(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    window = offset_window(params, "opportunity", state.limits)
    query = opportunity_query(params)
    with state.lock:
        found = query.ordered([o for o in state.opportunities.values() if query.matches(o)])
    page = offset_page(found, window)
    page["data"] = project_all(page["data"], fields_param(params))
    return {**page, **opportunity_aggregates(found)}


async def _create(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    record = create_opportunity(state, body, request_meta(state, request))
    return project(record, fields_param(query_params(request)))


async def _get(request: Request, state: SandboxState) -> Record:
    record = state.get("opportunity", request.path_params["opportunity_id"])
    return project(record, fields_param(query_params(request)))


async def _update(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    meta = request_meta(state, request)
    record = update_opportunity(state, request.path_params["opportunity_id"], body, meta)
    return project(record, fields_param(query_params(request)))


async def _delete(request: Request, state: SandboxState) -> Record:
    meta = request_meta(state, request)
    state.remove("opportunity", request.path_params["opportunity_id"], meta)
    return {}


def opportunity_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the ``/opportunity/`` routes.

    :param state: the sandbox state.
    """
    return [
        *resource_routes(state, "/opportunity/", {"GET": _list, "POST": _create}),
        *resource_routes(
            state,
            "/opportunity/{opportunity_id}/",
            {"GET": _get, "PUT": _update, "DELETE": _delete},
        ),
    ]
