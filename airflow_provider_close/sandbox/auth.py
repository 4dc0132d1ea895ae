"""Authentication as Close does it: HTTP Basic with the API key as username, or a Bearer token.

Bearer tokens are either fixed (never expire) or issued by the OAuth token endpoint
(``oauth.py``), which expire on the sandbox clock and are revoked by rotation. Missing, unknown,
expired or revoked credentials get ``401 {"error": "Unauthorized"}`` (close-api.md §1, §3).
The accepted key or token is stored in the ASGI scope so the rate limiter can count per key.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable, Iterable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from airflow_provider_close.sandbox.config import PRINCIPAL_SCOPE_KEY

__all__ = ["AuthMiddleware", "Credentials", "principal_from_authorization"]


class Credentials:
    """The API keys and OAuth access tokens the sandbox accepts (thread-safe)."""

    def __init__(
        self,
        api_keys: Iterable[str],
        access_tokens: Iterable[str],
        issued_token_is_live: Callable[[str], bool] = lambda _token: False,
    ) -> None:
        """Create the set of accepted credentials.

        :param api_keys: accepted API keys (Basic auth usernames).
        :param access_tokens: accepted Bearer tokens that never expire.
        :param issued_token_is_live: whether a Bearer token issued by the OAuth token endpoint
            is unexpired and unrevoked (see ``oauth.py``).
        """
        self._lock = threading.Lock()
        self._api_keys = set(api_keys)
        self._access_tokens = set(access_tokens)
        self._issued_token_is_live = issued_token_is_live

    def add_api_key(self, key: str) -> None:
        """Accept one more API key.

        :param key: the key.
        """
        with self._lock:
            self._api_keys.add(key)

    def add_access_token(self, token: str) -> None:
        """Accept one more Bearer token.

        :param token: the token.
        """
        with self._lock:
            self._access_tokens.add(token)

    def is_api_key(self, key: str) -> bool:
        """Return whether ``key`` is an accepted API key.

        :param key: the candidate key.
        """
        with self._lock:
            return key in self._api_keys

    def is_access_token(self, token: str) -> bool:
        """Return whether ``token`` is an accepted Bearer token.

        :param token: the candidate token.
        """
        with self._lock:
            if token in self._access_tokens:
                return True
        return self._issued_token_is_live(token)


def _basic_username(encoded: str) -> str | None:
    """Return the username of a Basic credential, or None if it is malformed."""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, _password = decoded.partition(":")
    return username if colon else None


def principal_from_authorization(header: str | None, credentials: Credentials) -> str | None:
    """Return the accepted key or token named by an ``Authorization`` header, else None.

    :param header: the header value (``Basic ...`` or ``Bearer ...``), or None.
    :param credentials: what the sandbox accepts.
    """
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        username = _basic_username(value)
        return username if username and credentials.is_api_key(username) else None
    if scheme.lower() == "bearer":
        token = value.strip()
        return token if token and credentials.is_access_token(token) else None
    return None


def _authorization_header(scope: Scope) -> str | None:
    """Return the request's ``Authorization`` header value, if any."""
    for name, value in scope["headers"]:
        if name.lower() == b"authorization":
            return bytes(value).decode("latin-1")
    return None


class AuthMiddleware:
    """Pure-ASGI middleware: 401 unless the request carries accepted credentials."""

    def __init__(self, app: ASGIApp, credentials: Credentials) -> None:
        """Wrap ``app``.

        :param app: the inner ASGI app.
        :param credentials: what the sandbox accepts.
        """
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate one HTTP request, then hand it on or answer 401.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        principal = principal_from_authorization(_authorization_header(scope), self.credentials)
        if principal is None:
            response = JSONResponse({"error": "Unauthorized"}, status_code=401)
            await response(scope, receive, send)
            return
        scope[PRINCIPAL_SCOPE_KEY] = principal
        await self.app(scope, receive, send)
