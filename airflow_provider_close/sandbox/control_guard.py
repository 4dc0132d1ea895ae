"""The guard in front of every ``/_sandbox/`` route: no web page may drive the sandbox.

A page open in a browser while the sandbox runs can send "simple" cross-site requests
(``text/plain`` POSTs, any ``Origin``) to ``127.0.0.1``, and DNS rebinding lets it read the
answers under its own host name. So, before any control route runs:

- ``Host`` must be a loopback name or address (``localhost``, ``*.localhost``,
  ``127.0.0.0/8``, ``[::1]``), else ``403``;
- ``Origin``, when present, must be the sandbox's own (``http://`` + that ``Host``), else ``403``;
- writes (any method but GET/HEAD/OPTIONS) must be ``Content-Type: application/json``, else
  ``415`` (a browser cannot send that cross-site without a CORS preflight, which the sandbox
  never grants).

The loopback-*client* check stays with the routes (``control._guarded``).
"""

from __future__ import annotations

import ipaddress
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ControlGuard", "control_refusal", "is_loopback_host"]

_READS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
_JSON: Final = "application/json"


def _host_name(host: str) -> str:
    """Return the name or address of a ``Host`` header value, without the port."""
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def is_loopback_host(host: str) -> bool:
    """Return whether a ``Host`` header value names this machine's loopback interface.

    :param host: e.g. ``127.0.0.1:8765``, ``localhost``, ``[::1]:8765``.
    """
    name = _host_name(host.strip()).lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def control_refusal(method: str, headers: Headers) -> tuple[int, str] | None:
    """Return ``(status, message)`` refusing a control request, or ``None`` to let it through.

    :param method: the HTTP method.
    :param headers: the request headers.
    """
    host = headers.get("host", "")
    if not is_loopback_host(host):
        return 403, f"control endpoints answer only a loopback Host (got Host {host!r})"
    origin = headers.get("origin")
    if origin is not None and origin.lower() != f"http://{host}".lower():
        return 403, f"cross-origin control requests are refused (Origin {origin!r})"
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    if method.upper() not in _READS and media_type != _JSON:
        return 415, f"control writes need Content-Type: {_JSON} (got {media_type or 'none'!r})"
    return None


class ControlGuard:
    """Pure-ASGI middleware answering :func:`control_refusal`'s refusals as ``{"error": ...}``.

    :param app: the control app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse or pass on one request.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] == "http":
            refusal = control_refusal(str(scope["method"]), Headers(scope=scope))
            if refusal is not None:
                status, message = refusal
                await JSONResponse({"error": message}, status_code=status)(scope, receive, send)
                return
        await self.app(scope, receive, send)
