"""``/event/`` routes: the cursor-paginated event log and single events."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.errors import NotFound
from airflow_provider_close.sandbox.events import event_page, is_retained
from airflow_provider_close.sandbox.pagination import fields_param, project, project_all
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.routes.common import query_params, resource_routes
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["event_routes"]


async def _list_events(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    with state.lock:
        events = list(state.events.values())
    page = event_page(events, params, state.limits.limit_for("event"), state.now())
    page["data"] = project_all(page["data"], fields_param(params))
    return page


async def _get_event(request: Request, state: SandboxState) -> Record:
    event = state.events.get(request.path_params["event_id"])
    if event is None or not is_retained(event, state.now()):
        raise NotFound("Empty query: event does not exist.")
    return project(event, fields_param(query_params(request)))


def event_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the ``/event/`` routes.

    :param state: the sandbox state.
    """
    return [
        *resource_routes(state, "/event/", {"GET": _list_events}),
        *resource_routes(state, "/event/{event_id}/", {"GET": _get_event}),
    ]
