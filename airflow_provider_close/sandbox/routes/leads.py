"""``/lead/`` routes: list (with the legacy ``query``), create, get, update, delete."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.models.leads import (
    create_lead,
    delete_lead,
    render_lead,
    update_lead,
)
from airflow_provider_close.sandbox.models.merge import merge_leads
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
from airflow_provider_close.sandbox.search.lead_query import (
    lead_matcher,
    lead_query_order,
    parse_lead_query,
)
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["lead_routes"]


def _matching_leads(state: SandboxState, query: str | None) -> list[Record]:
    """Return every lead (a plain list: immediate), or those the search index matches."""
    if not query:
        return list(state.leads.values())
    indexed = state.search_records()  # ``query`` runs on the lagging search index
    matches = lead_matcher(
        parse_lead_query(query), lambda lead_id: indexed.children_of("contact", lead_id)
    )
    found = [lead for lead in indexed.leads.values() if matches(lead)]
    order = lead_query_order(query)
    if order is not None:  # a stable sort: ties keep creation order on every request
        field, descending = order
        found.sort(key=lambda lead: str(lead.get(field) or ""), reverse=descending)
    return found


async def _list_leads(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    window = offset_window(params, "lead", state.limits)
    query = params.get("query")
    with state.lock:
        leads = _matching_leads(state, query)
        page = offset_page(leads, window)
        page["data"] = project_all(
            [render_lead(state, lead) for lead in page["data"]], fields_param(params)
        )
    if query:
        page["total_results"] = len(leads)
    return page


async def _create_lead(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    lead = create_lead(state, body, request_meta(state, request))
    return project(lead, fields_param(query_params(request)))


async def _get_lead(request: Request, state: SandboxState) -> Record:
    with state.lock:
        lead = render_lead(state, state.get("lead", request.path_params["lead_id"]))
    return project(lead, fields_param(query_params(request)))


async def _update_lead(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    meta = request_meta(state, request)
    lead = update_lead(state, request.path_params["lead_id"], body, meta)
    return project(lead, fields_param(query_params(request)))


async def _delete_lead(request: Request, state: SandboxState) -> Record:
    delete_lead(state, request.path_params["lead_id"], request_meta(state, request))
    return {}


async def _merge_leads(request: Request, state: SandboxState) -> Record:
    return merge_leads(state, await json_body(request), request_meta(state, request))


def lead_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the ``/lead/`` routes.

    :param state: the sandbox state.
    """
    return [
        *resource_routes(state, "/lead/", {"GET": _list_leads, "POST": _create_lead}),
        *resource_routes(state, "/lead/merge/", {"POST": _merge_leads}),
        *resource_routes(
            state,
            "/lead/{lead_id}/",
            {"GET": _get_lead, "PUT": _update_lead, "DELETE": _delete_lead},
        ),
    ]
