"""Close authentication as httpx auth flows whose reprs never show the secret.

API key: HTTP Basic with the key as username and an empty password (``Basic base64("key:")``).
OAuth: ``Authorization: Bearer <token>``. The flow is one generator that both the sync and the
async httpx clients drive.
"""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx

from airflow_provider_close.client.errors import CloseConfigError
from airflow_provider_close.client.redaction import Redactor, secret_forms_of_header

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

    def redactor(self) -> Redactor:
        """Return a redactor of every form of the secret this auth currently sends."""
        return Redactor(secret_forms_of_header(self._header_value.reveal()))

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


def auth_for(api_key: str | None, access_token: str | None) -> CloseAuth:
    """Return the auth for exactly one of an API key and an access token.

    :param api_key: a Close API key, or ``None``.
    :param access_token: an OAuth access token, or ``None``.
    :raises CloseConfigError: when neither or both are given, or one is blank.
    """
    if (api_key is None) == (access_token is None):
        raise CloseConfigError("give exactly one of api_key and access_token")
    secret = api_key if api_key is not None else access_token
    if not isinstance(secret, str) or not secret.strip() or secret != secret.strip():
        raise CloseConfigError("the API key / access token must be a non-blank string")
    return ApiKeyAuth(secret) if api_key is not None else BearerAuth(secret)
