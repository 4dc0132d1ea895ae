"""``/export/`` routes (start, read, list exports) and the download of finished files."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from airflow_provider_close.sandbox.errors import NotFound
from airflow_provider_close.sandbox.exports import (
    DOWNLOAD_PATH,
    create_export,
    export_file,
    export_status,
)
from airflow_provider_close.sandbox.pagination import (
    fields_param,
    offset_page,
    offset_window,
    project,
)
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.routes.common import json_body, query_params, resource_routes
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["export_download_routes", "export_routes"]


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def _export_leads(request: Request, state: SandboxState) -> Record:
    return create_export(state, "lead", await json_body(request))


async def _export_opportunities(request: Request, state: SandboxState) -> Record:
    return create_export(state, "opportunity", await json_body(request))


async def _get_export(request: Request, state: SandboxState) -> Record:
    record = export_status(state, request.path_params["export_id"], _origin(request))
    return project(record, fields_param(query_params(request)))


async def _list_exports(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    window = offset_window(params, "export", state.limits)
    records = [export_status(state, key, _origin(request)) for key in list(state.exports)]
    return offset_page(records, window)


def export_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the ``/export/`` routes.

    :param state: the sandbox state.
    """
    return [
        *resource_routes(state, "/export/", {"GET": _list_exports}),
        *resource_routes(state, "/export/lead/", {"POST": _export_leads}),
        *resource_routes(state, "/export/opportunity/", {"POST": _export_opportunities}),
        *resource_routes(state, "/export/{export_id}/", {"GET": _get_export}),
    ]


def export_download_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the route serving finished export files (gzip, ``content-encoding: gzip``).

    Served outside ``/api/v1`` and without Close auth, as Close's pre-signed file URLs are.

    :param state: the sandbox state.
    """

    async def download(request: Request) -> Response:
        try:
            body = export_file(state, request.path_params["export_id"])
        except NotFound as error:
            return JSONResponse(error.body, status_code=error.status)
        headers = {"content-encoding": "gzip", "content-type": "application/json"}
        return Response(body, headers=headers)

    return [Route(DOWNLOAD_PATH, download, methods=["GET"])]
