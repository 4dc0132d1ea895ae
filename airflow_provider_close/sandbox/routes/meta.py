"""``/me/``, ``/user/``, ``/status/…/``, ``/pipeline/`` and ``/custom_field/<type>/`` routes."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.errors import NotFound
from airflow_provider_close.sandbox.models.custom_fields import create_custom_field
from airflow_provider_close.sandbox.pagination import (
    fields_param,
    offset_page,
    offset_window,
    project,
    project_all,
    refuse_paging,
)
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.routes.common import (
    json_body,
    query_params,
    resource_routes,
)
from airflow_provider_close.sandbox.state import CUSTOM_FIELD_OBJECT_TYPES, SandboxState

__all__ = ["meta_routes"]


def _render_me(state: SandboxState) -> Record:
    me = dict(state.me)
    me["organizations"] = [{"id": state.organization_id, "name": state.organization["name"]}]
    me["email_accounts"] = []
    return me


async def _get_me(request: Request, state: SandboxState) -> Record:
    return project(_render_me(state), fields_param(query_params(request)))


def _sorted_users(state: SandboxState, order_by: str | None) -> list[Record]:
    users = list(state.users.values())
    if order_by:
        keys = [name.lstrip("-") for name in order_by.split(",")]
        users.sort(key=lambda user: tuple(str(user.get(key) or "") for key in keys))
    return users


async def _list_users(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    window = offset_window(params, "user", state.limits)
    with state.lock:
        page = offset_page(_sorted_users(state, params.get("_order_by")), window)
    page["data"] = project_all(page["data"], fields_param(params))
    return page


async def _get_user(request: Request, state: SandboxState) -> Record:
    user = state.users.get(request.path_params["user_id"])
    if user is None:
        raise NotFound("Empty query: user does not exist.")
    return project(user, fields_param(query_params(request)))


def _status_lister(kind: str) -> Any:
    async def list_statuses(request: Request, state: SandboxState) -> Record:
        params = query_params(request)
        refuse_paging(params, f"/status/{kind}/")
        store = state.lead_statuses if kind == "lead" else state.opportunity_statuses
        with state.lock:
            statuses = list(store.values())
        return {"data": project_all(statuses, fields_param(params))}

    return list_statuses


async def _list_pipelines(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    refuse_paging(params, "/pipeline/")
    with state.lock:
        pipelines = list(state.pipelines.values())
    return {"data": project_all(pipelines, fields_param(params)), "has_more": False}


def _custom_field_handlers(object_type: str) -> tuple[Any, Any, Any]:
    async def list_fields(request: Request, state: SandboxState) -> Record:
        params = query_params(request)
        window = offset_window(params, "custom_field", state.limits)
        with state.lock:
            page = offset_page(list(state.custom_fields[object_type].values()), window)
        page["data"] = project_all(page["data"], fields_param(params))
        return page

    async def get_field(request: Request, state: SandboxState) -> Record:
        field = state.custom_fields[object_type].get(request.path_params["field_id"])
        if field is None:
            raise NotFound("Empty query: custom field does not exist.")
        return project(field, fields_param(query_params(request)))

    async def create_field(request: Request, state: SandboxState) -> Record:
        body = await json_body(request)
        return create_custom_field(state, object_type, body)

    return list_fields, get_field, create_field


def _custom_field_routes(state: SandboxState) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for object_type in CUSTOM_FIELD_OBJECT_TYPES:
        list_fields, get_field, create_field = _custom_field_handlers(object_type)
        base = f"/custom_field/{object_type}/"
        routes += resource_routes(state, base, {"GET": list_fields, "POST": create_field})
        routes += resource_routes(state, base + "{field_id}/", {"GET": get_field})
    return routes


def meta_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the routes for the current user, users, statuses, pipelines and custom fields.

    :param state: the sandbox state.
    """
    return [
        *resource_routes(state, "/me/", {"GET": _get_me}),
        *resource_routes(state, "/user/", {"GET": _list_users}),
        *resource_routes(state, "/user/{user_id}/", {"GET": _get_user}),
        *resource_routes(state, "/status/lead/", {"GET": _status_lister("lead")}),
        *resource_routes(state, "/status/opportunity/", {"GET": _status_lister("opportunity")}),
        *resource_routes(state, "/pipeline/", {"GET": _list_pipelines}),
        *_custom_field_routes(state),
    ]
