"""``/contact/`` routes: list (``lead_id`` filter), create, get, update, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.checks import Problems
from airflow_provider_close.sandbox.models.contacts import build_contact, updated_contact
from airflow_provider_close.sandbox.models.leads import create_lead
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

__all__ = ["contact_routes"]


async def _list_contacts(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    window = offset_window(params, "contact", state.limits)
    lead_id = params.get("lead_id")
    with state.lock:
        contacts = [
            contact
            for contact in state.contacts.values()
            if not lead_id or contact["lead_id"] == lead_id
        ]
        page = offset_page(contacts, window)
    page["data"] = project_all(page["data"], fields_param(params))
    return page


def _create_contact(state: SandboxState, body: dict[str, Any], meta: RequestMeta) -> Record:
    problems = Problems()
    lead_id = problems.reference(body, "lead_id", state.leads)
    problems.raise_if_any()
    contact = build_contact(state, body)
    with state.lock:
        if lead_id is None:
            name = contact.get("name") or contact.get("display_name") or ""
            lead_id = create_lead(state, {"name": name}, meta)["id"]
        return state.add("contact", {**contact, "lead_id": lead_id}, meta)


async def _post_contact(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    contact = _create_contact(state, body, request_meta(state, request))
    return project(contact, fields_param(query_params(request)))


async def _get_contact(request: Request, state: SandboxState) -> Record:
    contact = state.get("contact", request.path_params["contact_id"])
    return project(contact, fields_param(query_params(request)))


async def _put_contact(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    meta = request_meta(state, request)
    with state.lock:
        current = state.get("contact", request.path_params["contact_id"])
        contact = state.change("contact", updated_contact(state, current, body), meta)
    return project(contact, fields_param(query_params(request)))


async def _delete_contact(request: Request, state: SandboxState) -> Record:
    state.remove("contact", request.path_params["contact_id"], request_meta(state, request))
    return {}


def contact_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the ``/contact/`` routes.

    :param state: the sandbox state.
    """
    return [
        *resource_routes(state, "/contact/", {"GET": _list_contacts, "POST": _post_contact}),
        *resource_routes(
            state,
            "/contact/{contact_id}/",
            {"GET": _get_contact, "PUT": _put_contact, "DELETE": _delete_contact},
        ),
    ]
