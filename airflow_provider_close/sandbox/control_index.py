"""The index of the sandbox's control routes, served at ``GET /_sandbox/``.

Every control route (``control.py``) with its methods and one line on what it does, as JSON, so
the URL the CLI prints answers with what can be done there. The same lines make the CLI's
``--help`` epilog (:func:`control_help`). The routes:

- ``GET /_sandbox/``: this index.
- ``POST /_sandbox/reset``: wipe everything; ``{"seed": "demo" | null}`` picks the data.
- ``GET|POST|DELETE /_sandbox/faults``: list, arm (``{"spec": "server_error:times=2"}``, a
  fault object or a list) or clear scripted faults.
- ``GET|POST /_sandbox/rate_limits``: show or set one (``{"spec": "lead:write=5/1"}``).
- ``GET|POST /_sandbox/latency``: show or set the delay added to every API response.
- ``GET|POST /_sandbox/limits``: show or set ``max_limit`` / ``max_skip`` per resource.
- ``GET /_sandbox/requests``: the API requests seen since the last reset.
- ``GET|POST /_sandbox/clock``: show, ``set`` (ISO-8601), ``advance`` (seconds) or ``reset``.
- ``GET|POST /_sandbox/oauth``: the OAuth token endpoint's settings; mint or revoke tokens.
- ``GET|POST /_sandbox/search_lag``: show or set the search index's lag behind writes.
- ``GET|POST|DELETE /_sandbox/page_hooks``: change data between two pages of a list.

Records (leads, activities...) are made through the Close API itself, under ``/api/v1/``:
:data:`CREATE_ACTIVITY_EXAMPLE`.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

__all__ = ["CONTROL_DESCRIPTIONS", "CREATE_ACTIVITY_EXAMPLE", "control_help", "index_route"]

INDEX_PATH = "/_sandbox/"

#: One line per control route, by path (tests/sandbox/test_control_index.py checks each has one).
CONTROL_DESCRIPTIONS: dict[str, str] = {
    INDEX_PATH: "this index",
    "/_sandbox/reset": 'wipe everything; body {"seed": "demo"} or {"seed": null} picks the data',
    "/_sandbox/faults": 'list, arm (body {"spec": "server_error:status=503,times=2"}, a fault '
    "object or a list) or clear (DELETE) scripted faults",
    "/_sandbox/rate_limits": 'show or set a rate limit (body {"spec": "lead:write=5/1"})',
    "/_sandbox/latency": 'show or set the delay added to every API response (body {"ms": 200})',
    "/_sandbox/limits": 'show or set page limits (body {"max_skip": {"activity": 500}})',
    "/_sandbox/requests": "the API requests seen since the last reset",
    "/_sandbox/clock": 'show or drive the clock (body {"set": ISO-8601}, {"advance": seconds} '
    'or {"reset": true})',
    "/_sandbox/oauth": "show or set the OAuth token endpoint (token lifetime, delay), mint a "
    'refresh token (body {"issue": null}) or revoke one; GET lists the token calls',
    "/_sandbox/search_lag": "show or set how long lead and contact writes take to reach search "
    '(body {"seconds": 60})',
    "/_sandbox/page_hooks": "list, arm or clear (DELETE) changes made when the Nth page of a "
    'list is served (body {"path": "/lead/", "page": 1, "mutations": [...]})',
}

#: How to make a record for a sensor to see: log an inbound call on the first lead.
CREATE_ACTIVITY_EXAMPLE = """\
KEY=api_...   # the key the CLI printed
LEAD=$(curl -s -u "$KEY:" 'http://127.0.0.1:8765/api/v1/lead/?_limit=1&_fields=id' \\
       | python3 -c 'import json, sys; print(json.load(sys.stdin)["data"][0]["id"])')
curl -s -u "$KEY:" -H 'Content-Type: application/json' \\
     -d "{\\"lead_id\\": \\"$LEAD\\", \\"direction\\": \\"inbound\\", \\"duration\\": 60}" \\
     http://127.0.0.1:8765/api/v1/activity/call/"""


def _methods(route: BaseRoute) -> list[str]:
    return sorted(set(getattr(route, "methods", None) or ()) - {"HEAD"})


def _index(routes: Sequence[BaseRoute]) -> list[dict[str, object]]:
    """Return ``[{"path", "methods", "description"}]`` for the index and the routes."""
    listed: list[tuple[str, list[str]]] = [(INDEX_PATH, ["GET"])]
    listed += [(str(getattr(route, "path", "")), _methods(route)) for route in routes]
    return [
        {"path": path, "methods": methods, "description": CONTROL_DESCRIPTIONS.get(path, "")}
        for path, methods in listed
    ]


def index_route(routes: Sequence[BaseRoute]) -> Route:
    """Return the ``GET /_sandbox/`` route listing ``routes`` (the other control routes).

    :param routes: the control routes, as :func:`control.control_routes` returned them.
    """
    body = {
        "control": _index(routes),
        "api": "the Close API is under /api/v1/ (HTTP Basic, the API key as the user name)",
        "create_activity_example": CREATE_ACTIVITY_EXAMPLE,
    }

    async def index(_request: Request) -> Response:
        return JSONResponse(body)

    return Route(INDEX_PATH, index, methods=["GET"])


def control_help(routes: Sequence[BaseRoute]) -> str:
    """Return the control routes as text for ``--help``, with the create-an-activity example.

    :param routes: the control routes.
    """
    lines = ["run-time controls (loopback only), JSON in and out:"]
    for entry in _index(routes):
        methods = "|".join(entry["methods"])  # type: ignore[arg-type]
        lines.append(f"  {methods:<15} {entry['path']:<22} {entry['description']}")
    lines += ["", "make an activity (e.g. for the new-activity sensor) through the API:"]
    lines += [f"  {line}" for line in CREATE_ACTIVITY_EXAMPLE.splitlines()]
    return "\n".join(lines)
