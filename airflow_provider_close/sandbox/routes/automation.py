"""``/bulk_action/edit/``, ``/sequence/`` and ``/sequence_subscription/`` routes."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.bulk_actions import (
    bulk_edit_view,
    create_bulk_edit,
)
from airflow_provider_close.sandbox.pagination import (
    fields_param,
    offset_page,
    offset_window,
    project,
)
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.routes.common import (
    json_body,
    query_params,
    request_meta,
    resource_routes,
)
from airflow_provider_close.sandbox.sequences import (
    create_sequence,
    create_subscription,
    get_sequence,
    get_subscription,
    matching_subscriptions,
)
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["automation_routes"]


async def _create_bulk_edit(request: Request, state: SandboxState) -> Record:
    meta = request_meta(state, request)
    return create_bulk_edit(state, await json_body(request), meta.request_id or "")


async def _get_bulk_edit(request: Request, state: SandboxState) -> Record:
    record = bulk_edit_view(state, request.path_params["action_id"])
    return project(record, fields_param(query_params(request)))


async def _list_bulk_edits(request: Request, state: SandboxState) -> Record:
    """Newest first (**assumption**: Close does not document the order)."""
    params = query_params(request)
    window = offset_window(params, "bulk_action", state.limits)
    with state.lock:
        keys = list(reversed(state.bulk_edits))
    records = [project(bulk_edit_view(state, key), fields_param(params)) for key in keys]
    return offset_page(records, window)


async def _create_sequence(request: Request, state: SandboxState) -> Record:
    return create_sequence(state, await json_body(request))


async def _list_sequences(request: Request, state: SandboxState) -> Record:
    window = offset_window(query_params(request), "sequence", state.limits)
    with state.lock:
        records = [dict(item) for item in state.sequences.values()]
    return offset_page(records, window)


async def _get_sequence(request: Request, state: SandboxState) -> Record:
    return get_sequence(state, request.path_params["sequence_id"])


async def _create_subscription(request: Request, state: SandboxState) -> JSONResponse:
    record = create_subscription(state, await json_body(request))
    return JSONResponse(record, status_code=201)


async def _list_subscriptions(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    window = offset_window(params, "sequence_subscription", state.limits)
    return offset_page(matching_subscriptions(state, params), window)


async def _get_subscription(request: Request, state: SandboxState) -> Record:
    return get_subscription(state, request.path_params["subscription_id"])


def automation_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the bulk edit, sequence and sequence subscription routes.

    :param state: the sandbox state.
    """
    return [
        *resource_routes(
            state, "/bulk_action/edit/", {"GET": _list_bulk_edits, "POST": _create_bulk_edit}
        ),
        *resource_routes(
            state,
            "/bulk_action/edit/{action_id}/",
            {"GET": _get_bulk_edit},
        ),
        *resource_routes(state, "/sequence/", {"GET": _list_sequences, "POST": _create_sequence}),
        *resource_routes(state, "/sequence/{sequence_id}/", {"GET": _get_sequence}),
        *resource_routes(
            state,
            "/sequence_subscription/",
            {"GET": _list_subscriptions, "POST": _create_subscription},
        ),
        *resource_routes(
            state, "/sequence_subscription/{subscription_id}/", {"GET": _get_subscription}
        ),
    ]
