"""Close's OAuth 2.0 token endpoint: access tokens that expire, refresh tokens that rotate.

``POST /oauth2/token/`` (form-encoded, close-api.md §1) at the host root, beside ``/api/v1``:

* ``grant_type=refresh_token`` with ``client_id``, ``client_secret``, ``refresh_token`` answers
  ``{"token_type": "Bearer", "access_token", "expires_in", "refresh_token", "scope",
  "organization_id", "user_id"}``; the refresh token used is revoked at once (rotation), and
  so, by default, is the access token it had issued (**assumption**, the less convenient one).
* errors follow RFC 6749 §5.2 (**assumption**: Close's docs show no error bodies):
  ``400 {"error": "invalid_grant", "error_description": ...}`` for an unknown, revoked or
  foreign refresh token; ``401 {"error": "invalid_client"}`` for a wrong client id/secret;
  ``400 invalid_request`` / ``unsupported_grant_type`` for a malformed request.

``POST /oauth2/revoke/`` (``client_id``, ``client_secret``, ``token``) revokes either kind of
token and answers ``200 {}`` even for unknown tokens (RFC 7009). Access tokens are checked by
the API's auth layer through :meth:`OAuthServer.is_live_access_token`: expired (sandbox clock)
or revoked ones get the usual ``401 {"error": "Unauthorized"}``.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from airflow_provider_close.sandbox.config import random_base62

__all__ = [
    "DEFAULT_ACCESS_TOKEN_LIFETIME",
    "OAUTH_PREFIX",
    "OAuthDispatcher",
    "OAuthGrant",
    "OAuthServer",
    "new_client_id",
    "new_client_secret",
]

OAUTH_PREFIX = "/oauth2/"
DEFAULT_ACCESS_TOKEN_LIFETIME = 3600.0
_SCOPE = "all.full_access offline_access"
GrantOutcome = Literal["granted", "invalid_grant", "invalid_client", "invalid_request"]


def new_client_id() -> str:
    """Return a random OAuth client id (``oa2client_<22>``, an **assumed** shape)."""
    return f"oa2client_{random_base62(22)}"


def new_client_secret() -> str:
    """Return a random OAuth client secret."""
    return f"oa2secret_{random_base62(40)}"


class OAuthGrant(NamedTuple):
    """One call of the token endpoint, for tests: when, which grant and what it answered."""

    at: datetime
    grant_type: str
    client_id: str
    outcome: GrantOutcome


@dataclass
class _AccessToken:
    client_id: str
    expires_at: datetime
    revoked: bool = False


class _Rejected(Exception):
    def __init__(self, status: int, error: GrantOutcome | str, description: str) -> None:
        super().__init__(error)
        self.status, self.error, self.description = status, error, description


class OAuthServer:
    """Registered OAuth apps and the tokens issued to them (thread-safe).

    :param now: the sandbox clock.
    :param clients: client id -> client secret.
    :param access_token_lifetime: ``expires_in`` of new access tokens, in sandbox seconds.
    :param revoke_access_on_refresh: a refresh also revokes the access token issued with the
        refresh token it consumed.
    :param identity: ``(organization_id, user_id)`` returned with every grant.
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        clients: Mapping[str, str],
        access_token_lifetime: float = DEFAULT_ACCESS_TOKEN_LIFETIME,
        revoke_access_on_refresh: bool = True,
        identity: Callable[[], tuple[str, str]] = lambda: ("", ""),
    ) -> None:
        if access_token_lifetime <= 0:
            raise ValueError("access_token_lifetime must be > 0 seconds")
        self._now = now
        self._lock = threading.Lock()
        self._clients = dict(clients)
        self._configured = (access_token_lifetime, revoke_access_on_refresh)
        self.access_token_lifetime, self.revoke_access_on_refresh = self._configured
        self.token_delay_ms = 0
        self._identity = identity
        self._access: dict[str, _AccessToken] = {}
        self._refresh: dict[str, tuple[str, str]] = {}  # refresh token -> (client, access)
        self._issued_refresh: set[str] = set()
        self._grants: list[OAuthGrant] = []

    def reset(self) -> None:
        """Forget every issued token and grant; restore the configured lifetime."""
        with self._lock:
            self._access.clear()
            self._refresh.clear()
            self._issued_refresh.clear()
            self._grants.clear()
            self.access_token_lifetime, self.revoke_access_on_refresh = self._configured
            self.token_delay_ms = 0

    def configure(
        self,
        *,
        access_token_lifetime: float | None = None,
        revoke_access_on_refresh: bool | None = None,
        token_delay_ms: int | None = None,
    ) -> None:
        """Change the token lifetime, revocation rule or token-endpoint delay until reset.

        :param access_token_lifetime: ``expires_in`` of tokens issued from now on.
        :param revoke_access_on_refresh: whether a refresh revokes the old access token.
        :param token_delay_ms: how long the token endpoint takes to answer (a slow endpoint
            widens the window in which workers refresh concurrently).
        """
        with self._lock:
            if token_delay_ms is not None:
                if token_delay_ms < 0:
                    raise ValueError("token_delay_ms cannot be negative")
                self.token_delay_ms = int(token_delay_ms)
            if access_token_lifetime is not None:
                if not access_token_lifetime > 0:
                    raise ValueError("access_token_lifetime must be > 0 seconds")
                self.access_token_lifetime = float(access_token_lifetime)
            if revoke_access_on_refresh is not None:
                self.revoke_access_on_refresh = bool(revoke_access_on_refresh)

    @property
    def clients(self) -> dict[str, str]:
        """Return the registered apps, client id -> secret."""
        with self._lock:
            return dict(self._clients)

    @property
    def grants(self) -> list[OAuthGrant]:
        """Return every token-endpoint call since the last reset, oldest first."""
        with self._lock:
            return list(self._grants)

    def token_texts(self) -> set[str]:
        """Return every access and refresh token issued since the last reset (for leak tests)."""
        with self._lock:
            return set(self._access) | set(self._issued_refresh)

    def is_live_refresh_token(self, token: str) -> bool:
        """Return whether ``token`` can still be spent (issued and not yet rotated or revoked).

        :param token: a refresh token.
        """
        with self._lock:
            return token in self._refresh

    def issue(self, client_id: str) -> dict[str, object]:
        """Mint a grant as if a user had just authorised the app (the consent screen).

        :param client_id: a registered client id.
        :returns: the token response body (with a fresh refresh token).
        """
        with self._lock:
            if client_id not in self._clients:
                raise ValueError(f"unknown OAuth client_id {client_id!r}")
            return self._grant(client_id)

    def revoke(self, token: str) -> None:
        """Revoke an access or refresh token (unknown tokens are ignored).

        :param token: the token.
        """
        with self._lock:
            self._revoke(token)

    def is_live_access_token(self, token: str) -> bool:
        """Return whether ``token`` was issued here, is not revoked and has not expired.

        :param token: the Bearer token of a request.
        """
        with self._lock:
            entry = self._access.get(token)
            return entry is not None and not entry.revoked and self._now() < entry.expires_at

    def token_response(self, form: Mapping[str, str]) -> tuple[int, dict[str, object]]:
        """Answer one token request: ``(status, body)``.

        :param form: the decoded form fields.
        """
        grant_type = form.get("grant_type", "")
        client_id = form.get("client_id", "")
        with self._lock:
            try:
                body = self._token_request(grant_type, client_id, form)
            except _Rejected as rejected:
                outcome = rejected.error if rejected.error in _OUTCOMES else "invalid_request"
                self._log(grant_type, client_id, outcome)  # type: ignore[arg-type]
                error: dict[str, object] = {"error": rejected.error}
                if rejected.description:
                    error["error_description"] = rejected.description
                return rejected.status, error
            self._log(grant_type, client_id, "granted")
            return 200, body

    def revoke_response(self, form: Mapping[str, str]) -> tuple[int, dict[str, object]]:
        """Answer one revoke request: ``(status, body)``.

        :param form: the decoded form fields.
        """
        with self._lock:
            try:
                self._check_client(form.get("client_id", ""), form.get("client_secret", ""))
            except _Rejected as rejected:
                return rejected.status, {"error": rejected.error}
            self._revoke(form.get("token", ""))
        return 200, {}

    # internals (called with the lock held) ----------------------------------------------
    def _token_request(
        self, grant_type: str, client_id: str, form: Mapping[str, str]
    ) -> dict[str, object]:
        if grant_type != "refresh_token":
            raise _Rejected(400, "unsupported_grant_type", "")
        self._check_client(client_id, form.get("client_secret", ""))
        token = form.get("refresh_token", "")
        if not token:
            raise _Rejected(400, "invalid_request", "Missing refresh_token parameter.")
        owner = self._refresh.get(token)
        if owner is None or owner[0] != client_id:
            raise _Rejected(400, "invalid_grant", "Invalid refresh token.")
        self._revoke(token)
        return self._grant(client_id)

    def _check_client(self, client_id: str, client_secret: str) -> None:
        expected = self._clients.get(client_id)
        if expected is None or not secrets.compare_digest(expected, client_secret):
            raise _Rejected(401, "invalid_client", "")

    def _grant(self, client_id: str) -> dict[str, object]:
        access, refresh = f"access_{random_base62(40)}", f"refresh_{random_base62(40)}"
        lifetime = self.access_token_lifetime
        self._access[access] = _AccessToken(client_id, self._now() + timedelta(seconds=lifetime))
        self._refresh[refresh] = (client_id, access)
        self._issued_refresh.add(refresh)
        organization_id, user_id = self._identity()
        return {
            "token_type": "Bearer",
            "access_token": access,
            "expires_in": int(lifetime) if lifetime == int(lifetime) else lifetime,
            "refresh_token": refresh,
            "scope": _SCOPE,
            "organization_id": organization_id,
            "user_id": user_id,
        }

    def _revoke(self, token: str) -> None:
        owner = self._refresh.pop(token, None)
        if owner is not None and self.revoke_access_on_refresh:
            access = self._access.get(owner[1])
            if access is not None:
                access.revoked = True
        entry = self._access.get(token)
        if entry is not None:
            entry.revoked = True

    def _log(self, grant_type: str, client_id: str, outcome: GrantOutcome) -> None:
        self._grants.append(OAuthGrant(self._now(), grant_type, client_id, outcome))


_OUTCOMES = frozenset({"granted", "invalid_grant", "invalid_client", "invalid_request"})


async def _form(request: Request) -> dict[str, str]:
    """Return a form-encoded body as a dict; any other content type is an invalid request."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise _Rejected(400, "invalid_request", "Send form-encoded parameters.")
    raw = (await request.body()).decode("utf-8", errors="replace")
    return {name: values[-1] for name, values in parse_qs(raw).items()}


_Answer = Callable[[Mapping[str, str]], tuple[int, dict[str, object]]]


def oauth_routes(server: OAuthServer) -> list[Route]:
    """Return the ``/oauth2/token/`` and ``/oauth2/revoke/`` routes (with and without slash).

    :param server: the OAuth state.
    """

    def endpoint(answer: _Answer) -> Callable[[Request], Awaitable[Response]]:
        async def handle(request: Request) -> Response:
            try:
                form = await _form(request)
            except _Rejected as rejected:
                error = {"error": rejected.error, "error_description": rejected.description}
                return JSONResponse(error, rejected.status)
            if server.token_delay_ms:
                await asyncio.sleep(server.token_delay_ms / 1000)
            status, body = answer(form)
            return JSONResponse(body, status, headers={"Cache-Control": "no-store"})

        return handle

    token, revoke = endpoint(server.token_response), endpoint(server.revoke_response)
    return [
        Route(f"{OAUTH_PREFIX}token{slash}", token, methods=["POST"]) for slash in ("/", "")
    ] + [Route(f"{OAUTH_PREFIX}revoke{slash}", revoke, methods=["POST"]) for slash in ("/", "")]


class OAuthDispatcher:
    """Send ``/oauth2/`` requests to the token app and everything else to the API app."""

    def __init__(self, app: ASGIApp, oauth_app: ASGIApp) -> None:
        """Wrap ``app``.

        :param app: the sandbox app (API, control routes, 404s).
        :param oauth_app: the app serving :func:`oauth_routes`.
        """
        self.app = app
        self.oauth_app = oauth_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route one request.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(OAUTH_PREFIX):
            await self.oauth_app(scope, receive, send)
        else:
            await self.app(scope, receive, send)
