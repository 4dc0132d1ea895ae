"""Close authentication as httpx auth flows whose reprs never show the secret.

API key: HTTP Basic with the key as username and an empty password (``Basic base64("key:")``).
OAuth: ``Authorization: Bearer <token>``. The flow is one generator that both the sync and the
async httpx clients drive. OAuth with refresh and rotation: :mod:`.oauth_auth`.
Every auth exposes ``secrets()``: the texts to redact wherever they could surface.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Generator

import httpx

from airflow_provider_close.client.errors import CloseConfigError
from airflow_provider_close.client.redaction import (
    Redactor,
    basic_forms,
    bearer_forms,
    secret_forms_of_header,
)

__all__ = ["ApiKeyAuth", "BearerAuth", "CloseAuth", "Secret", "auth_for"]


class Secret:
    """A string that never shows itself in ``repr``/``str``/``vars`` dumps nor pickles.

    :param value: the secret text.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """Return the secret text (only to put it on the wire)."""
        return self._value

    def __repr__(self) -> str:
        return "<redacted>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a secret cannot be pickled")


class CloseAuth(httpx.Auth):
    """An ``Authorization`` header set on every request; ``repr`` hides the value.

    :param header_value: the full header value.
    """

    def __init__(self, header_value: str) -> None:
        self._header_value = Secret(header_value)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the header and send the request once.

        :param request: the outgoing request.
        """
        request.headers["Authorization"] = self._header_value.reveal()
        yield request

    def secrets(self) -> tuple[str, ...]:
        """Return every secret text this auth holds now (for redaction of error texts)."""
        value = self._header_value.reveal()
        scheme, _, credential = value.partition(" ")
        if scheme == "Basic":
            credential = base64.b64decode(credential).decode().rpartition(":")[0]
        return tuple(text for text in (credential, value) if text)

    def redactor(self) -> Redactor:
        """Return a redactor of every form of every secret this auth holds now."""
        forms: list[str] = []
        for text in self.secrets():
            if " " in text:  # a whole header value: "Basic …" / "Bearer …"
                forms += secret_forms_of_header(text)
            else:
                forms += basic_forms(text) + bearer_forms(text)
        return Redactor(forms)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<redacted>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError(f"{type(self).__name__} holds a secret and cannot be pickled")


class ApiKeyAuth(CloseAuth):
    """HTTP Basic with the API key as username and an empty password.

    :param api_key: the Close API key.
    """

    def __init__(self, api_key: str) -> None:
        token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
        super().__init__(f"Basic {token}")


class BearerAuth(CloseAuth):
    """OAuth 2.0 bearer token.

    :param access_token: the OAuth access token.
    """

    def __init__(self, access_token: str) -> None:
        super().__init__(f"Bearer {access_token}")


def auth_for(
    api_key: str | None, access_token: str | None, auth: CloseAuth | None = None
) -> CloseAuth:
    """Return the auth for exactly one of an API key, an access token and a ready auth.

    :param api_key: a Close API key, or ``None``.
    :param access_token: an OAuth access token, or ``None``.
    :param auth: a ready auth (e.g. :class:`~.oauth_auth.OAuthRefreshAuth`), or ``None``.
    :raises CloseConfigError: when none or several are given, or a secret is blank.
    """
    given = [value for value in (api_key, access_token, auth) if value is not None]
    if len(given) != 1:
        raise CloseConfigError("give exactly one of api_key, access_token and auth")
    if auth is not None:
        return auth
    secret = api_key if api_key is not None else access_token
    if not isinstance(secret, str) or not secret.strip() or secret != secret.strip():
        raise CloseConfigError("the API key / access token must be a non-blank string")
    return ApiKeyAuth(secret) if api_key is not None else BearerAuth(secret)
