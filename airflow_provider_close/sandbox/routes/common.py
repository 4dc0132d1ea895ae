"""Request parsing and response rendering shared by every Close route (moto's ``responses``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send

from airflow_provider_close.sandbox.body_limits import decoded_json
from airflow_provider_close.sandbox.bulk_actions import advance_bulk_edits
from airflow_provider_close.sandbox.errors import (
    BadRequest,
    CloseSandboxError,
    MethodNotAllowed,
)
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.state import SandboxState

__all__ = [
    "CloseEndpoint",
    "Handler",
    "json_body",
    "query_params",
    "request_meta",
    "resource_routes",
]

#: A route handler: the request and the state in, a JSON body out.
Handler = Callable[[Request, SandboxState], Awaitable[Any]]
_OVERRIDE_HEADER = "x-http-method-override"


async def json_body(request: Request) -> dict[str, Any]:
    """Return the request's JSON object body (``{}`` when empty).

    :param request: the request.
    :raises BadRequest: the body is not strict JSON within the limits
        (:mod:`..body_limits`) or not an object.
    """
    raw = await request.body()
    if not raw.strip():
        return {}
    body = decoded_json(raw)
    if not isinstance(body, dict):
        raise BadRequest("Please send a JSON object.")
    return body


def query_params(request: Request) -> dict[str, str]:
    """Return the query parameters (the ``_params`` of a method-override POST if present).

    :param request: the request.
    """
    override = request.scope.get("sandbox.params")
    if isinstance(override, dict):
        return {str(key): _param_text(value) for key, value in override.items()}
    return dict(request.query_params)


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def request_meta(state: SandboxState, request: Request) -> RequestMeta:
    """Return the event-log metadata of a write request (with a fresh ``req_…`` id).

    :param state: the sandbox state.
    :param request: the request.
    """
    return RequestMeta(request.method, request.url.path, state.new_id("req"))


async def _effective_method(request: Request) -> str:
    override = request.headers.get(_OVERRIDE_HEADER, "").upper()
    if request.method == "POST" and override == "GET":
        body = await json_body(request)
        request.scope["sandbox.params"] = body.get("_params", {})
        return "GET"
    return request.method


class CloseEndpoint:
    """The ASGI endpoint of one Close path: dispatches by method, renders Close's errors.

    :param state: the sandbox state handed to every handler.
    :param handlers: HTTP method -> handler; other methods answer 405.
    """

    def __init__(self, state: SandboxState, handlers: Mapping[str, Handler]) -> None:
        self.state = state
        self.handlers = dict(handlers)

    @property
    def methods(self) -> frozenset[str]:
        """The HTTP methods this path serves."""
        return frozenset(self.handlers)

    async def respond(self, request: Request) -> Response:
        """Return the response to ``request``.

        :param request: the request.
        """
        try:
            method = await _effective_method(request)
            handler = self.handlers.get(method)
            if handler is None:
                raise MethodNotAllowed(request.method)
            advance_bulk_edits(self.state)  # background work due by now (bulk actions)
            body = await handler(request, self.state)
        except CloseSandboxError as error:
            return JSONResponse(error.body, status_code=error.status)
        return body if isinstance(body, Response) else JSONResponse(body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI request.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)


def resource_routes(
    state: SandboxState, path: str, handlers: Mapping[str, Handler]
) -> list[BaseRoute]:
    """Return routes serving ``path`` with and without its trailing slash.

    Unsupported methods answer 405 ``{"error": ...}``.

    :param state: the sandbox state handed to every handler.
    :param path: the path relative to ``/api/v1``, ending with ``/``.
    :param handlers: HTTP method -> handler.
    """
    endpoint = CloseEndpoint(state, handlers)
    return [Route(path, endpoint), Route(path.rstrip("/"), endpoint)]
