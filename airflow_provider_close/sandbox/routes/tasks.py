"""``/task/`` routes: list with filters, create, get, update, delete."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.models.tasks import (
    check_bulk_update,
    create_task,
    render_task,
    update_task,
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
from airflow_provider_close.sandbox.task_queries import task_query

__all__ = ["task_routes"]


async def _list_tasks(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    window = offset_window(params, "task", state.limits)
    query = task_query(params)
    now = state.now()
    with state.lock:
        tasks = [task for task in state.tasks.values() if query.matches(task, now)]
    if query.order_by:
        field = query.order_by.lstrip("-")
        tasks.sort(
            key=lambda task: str(task.get(field) or ""), reverse=query.order_by.startswith("-")
        )
    page = offset_page([render_task(state, task) for task in tasks], window)
    page["data"] = project_all(page["data"], fields_param(params))
    return page


async def _bulk_update_tasks(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    body = await json_body(request)
    query = task_query(params)
    meta = request_meta(state, request)
    with state.lock:
        check_bulk_update(body)
        now = state.now()
        matching = [task["id"] for task in state.tasks.values() if query.matches(task, now)]
        for task_id in matching:
            update_task(state, task_id, body, meta)
    return {"count": len(matching)}


async def _create_task(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    task = create_task(state, body, request_meta(state, request))
    return project(render_task(state, task), fields_param(query_params(request)))


async def _get_task(request: Request, state: SandboxState) -> Record:
    task = state.get("task", request.path_params["task_id"])
    return project(render_task(state, task), fields_param(query_params(request)))


async def _update_task(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    meta = request_meta(state, request)
    task = update_task(state, request.path_params["task_id"], body, meta)
    return project(render_task(state, task), fields_param(query_params(request)))


async def _delete_task(request: Request, state: SandboxState) -> Record:
    state.remove("task", request.path_params["task_id"], request_meta(state, request))
    return {}


def task_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the ``/task/`` routes.

    :param state: the sandbox state.
    """
    return [
        *resource_routes(
            state, "/task/", {"GET": _list_tasks, "POST": _create_task, "PUT": _bulk_update_tasks}
        ),
        *resource_routes(
            state,
            "/task/{task_id}/",
            {"GET": _get_task, "PUT": _update_task, "DELETE": _delete_task},
        ),
    ]
