"""OAuth 2.0 refresh for Close, sans-I/O: token state, the token request and what to do next.

Close's token endpoint (close-api.md §1) is ``POST https://api.close.com/oauth2/token/``,
form-encoded ``grant_type=refresh_token`` with ``client_id``, ``client_secret`` and
``refresh_token``. Each refresh **rotates** the refresh token: the one sent is revoked at once.
Nothing here sends, sleeps or stores; :mod:`.oauth_auth` drives it for both clients.

A refresh, decided step by step by :class:`Refresh`::

    SendToken(request) --on_response--> Granted(tokens)            (store them)
                                    \\-> Reread                     (invalid_grant: another
                                          --on_reread(stored)-->      worker may have rotated)
                                              Granted(stored)      (it did, and it is fresh)
                                              SendToken(request)   (retry with its token)
                                              CloseOAuthError      (the token is revoked)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from airflow_provider_close.client.auth import Secret
from airflow_provider_close.client.bodies import error_summary
from airflow_provider_close.client.errors import CloseError

__all__ = [
    "DEFAULT_REFRESH_MARGIN",
    "CloseOAuthError",
    "Granted",
    "OAuthApp",
    "OAuthTokens",
    "Refresh",
    "Reread",
    "SendToken",
    "fingerprint",
    "is_fresh",
    "token_url_for",
]

#: Refresh this many seconds before expiry (at most a quarter of the token's lifetime).
DEFAULT_REFRESH_MARGIN = 60.0
#: Token-endpoint calls with a re-read stored token, after ``invalid_grant``, before giving up.
_MAX_REREADS = 3
_API_SUFFIX = "api/v1/"


class CloseOAuthError(CloseError):
    """Getting an OAuth access token failed; the message names the connection, never a secret.

    :param message: what went wrong and what to do.
    :param reason: the OAuth ``error`` code (``invalid_grant``, ``invalid_client``, ...) or a
        short word for failures of our own (``store``, ``lock``, ``response``).
    :param status: the token endpoint's HTTP status, if it answered.
    """

    def __init__(self, message: str, *, reason: str, status: int | None = None) -> None:
        super().__init__(message, method="POST", path="oauth2/token/", status=status)
        self.reason = reason


def token_url_for(base_url: str) -> str:
    """Return the token endpoint for an API base URL (``…/api/v1/`` -> ``…/oauth2/token/``).

    :param base_url: e.g. ``https://api.close.com/api/v1/`` or a sandbox's ``api_url``.
    """
    url = httpx.URL(base_url)
    path = url.path if url.path.endswith("/") else url.path + "/"
    root = path[: -len(_API_SUFFIX)] if path.endswith(_API_SUFFIX) else path
    return str(url.copy_with(path=f"{root}oauth2/token/", query=None))


def fingerprint(refresh_token: str) -> str:
    """Return a short, one-way fingerprint of a refresh token (to notice a re-authorisation).

    :param refresh_token: the token the connection was configured with.
    """
    return hashlib.sha256(refresh_token.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class OAuthApp:
    """The OAuth app and where its tokens come from; ``repr`` hides the secret.

    :param client_id: the app's client id.
    :param client_secret: the app's client secret.
    :param token_url: the token endpoint.
    :param label: what error messages call the credentials, e.g. ``connection 'close_default'``.
    """

    client_id: str
    client_secret: Secret
    token_url: str
    label: str = "the OAuth credentials"

    def refresh_request(self, refresh_token: Secret) -> httpx.Request:
        """Return the form-encoded ``grant_type=refresh_token`` request.

        :param refresh_token: the refresh token to spend.
        """
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self.client_secret.reveal(),
            "refresh_token": refresh_token.reveal(),
        }
        return httpx.Request(
            "POST", self.token_url, data=form, headers={"Accept": "application/json"}
        )


@dataclass(frozen=True)
class OAuthTokens:
    """An access token, when to refresh it, and the refresh token that replaces it.

    :param refresh_token: the current (latest) refresh token.
    :param access_token: the current access token, if any.
    :param refresh_at: epoch seconds after which the access token should be refreshed
        (``None``: unknown, use it until Close answers 401).
    :param expires_at: epoch seconds when the access token expires, if known.
    :param origin: :func:`fingerprint` of the connection's refresh token these descend from.
    """

    refresh_token: Secret
    access_token: Secret | None = None
    refresh_at: float | None = None
    expires_at: float | None = None
    origin: str = ""
    version: int = field(default=0, compare=False)

    def to_json(self) -> str:
        """Return the tokens as the JSON text a token store keeps."""
        return json.dumps(
            {
                "access_token": self.access_token.reveal() if self.access_token else None,
                "refresh_token": self.refresh_token.reveal(),
                "refresh_at": self.refresh_at,
                "expires_at": self.expires_at,
                "origin": self.origin,
                "version": self.version,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> OAuthTokens:
        """Parse :meth:`to_json` output.

        :param text: the stored JSON text.
        :raises ValueError: when it is not a token record.
        """
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("refresh_token"), str):
            raise ValueError("not a token record")
        access = data.get("access_token")
        return cls(
            refresh_token=Secret(data["refresh_token"]),
            access_token=Secret(access) if isinstance(access, str) else None,
            refresh_at=_number_or_none(data.get("refresh_at")),
            expires_at=_number_or_none(data.get("expires_at")),
            origin=str(data.get("origin") or ""),
            version=int(data.get("version") or 0),
        )

    def secrets(self) -> tuple[str, ...]:
        """Return the token texts (for redaction)."""
        access = (self.access_token.reveal(),) if self.access_token else ()
        return (*access, self.refresh_token.reveal())


def _number_or_none(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def is_fresh(tokens: OAuthTokens | None, now: float, rejected: str | None = None) -> bool:
    """Return whether ``tokens`` carry an access token to use now.

    :param tokens: the tokens, if any.
    :param now: epoch seconds.
    :param rejected: an access token Close just answered 401 to (never fresh).
    """
    if tokens is None or tokens.access_token is None:
        return False
    if rejected is not None and tokens.access_token.reveal() == rejected:
        return False
    return tokens.refresh_at is None or now < tokens.refresh_at


@dataclass(frozen=True)
class SendToken:
    """Send this request to the token endpoint, then call :meth:`Refresh.on_response`."""

    request: httpx.Request


@dataclass(frozen=True)
class Reread:
    """Load the stored tokens again, then call :meth:`Refresh.on_reread`."""


@dataclass(frozen=True)
class Granted:
    """Use these tokens; ``new`` ones must be saved to the store first."""

    tokens: OAuthTokens
    new: bool


RefreshStep = SendToken | Reread | Granted


class Refresh:
    """One refresh under the store's lock: which token to spend and what each answer means.

    :param app: the OAuth app.
    :param current: the stored tokens (``None`` before the first refresh).
    :param bootstrap: the connection's refresh token, spent when nothing is stored yet or
        the connection was re-authorised since (its fingerprint differs from ``origin``).
    :param margin: refresh this many seconds before expiry (capped at a quarter lifetime).
    """

    def __init__(
        self,
        app: OAuthApp,
        current: OAuthTokens | None,
        bootstrap: Secret,
        margin: float = DEFAULT_REFRESH_MARGIN,
    ) -> None:
        self._app = app
        self._margin = margin
        self._origin = fingerprint(bootstrap.reveal())
        use_stored = current is not None and current.origin == self._origin
        self._spent = current.refresh_token if use_stored and current else bootstrap
        self._version = current.version if current is not None else 0
        self._rereads = 0

    def first(self) -> SendToken:
        """Return the first token request."""
        return SendToken(self._app.refresh_request(self._spent))

    def on_response(self, response: httpx.Response, now: float) -> Granted | Reread:
        """Return what to do with the token endpoint's (read) response.

        :param response: the response.
        :param now: epoch seconds when it arrived.
        :raises CloseOAuthError: for any error other than ``invalid_grant``.
        """
        body = _json_object(response)
        if response.is_success:
            return Granted(self._tokens_from(body, response.status_code, now), new=True)
        code = body.get("error") if isinstance(body.get("error"), str) else None
        if code == "invalid_grant":
            return Reread()
        raise self._error(code or f"http_{response.status_code}", response.status_code, body)

    def on_reread(self, stored: OAuthTokens | None, now: float) -> Granted | SendToken:
        """Return what to do after ``invalid_grant`` and a fresh look at the store.

        :param stored: the tokens in the store now.
        :param now: epoch seconds.
        :raises CloseOAuthError: when no newer refresh token exists (it was revoked).
        """
        moved_on = (
            stored is not None
            and stored.origin == self._origin
            and stored.refresh_token.reveal() != self._spent.reveal()
        )
        if not moved_on or stored is None or self._rereads >= _MAX_REREADS:
            raise self._error("invalid_grant", 400, {})
        self._rereads += 1
        if is_fresh(stored, now):
            return Granted(stored, new=False)
        self._spent, self._version = stored.refresh_token, stored.version
        return SendToken(self._app.refresh_request(self._spent))

    def _tokens_from(self, body: dict[str, Any], status: int, now: float) -> OAuthTokens:
        access, refresh = body.get("access_token"), body.get("refresh_token")
        lifetime = body.get("expires_in")
        if not (isinstance(access, str) and access and isinstance(lifetime, int | float)):
            raise CloseOAuthError(
                f"{self._app.label}: the token endpoint answered {status} without an "
                "access_token and expires_in",
                reason="response",
                status=status,
            )
        keep = refresh if isinstance(refresh, str) and refresh else self._spent.reveal()
        margin = min(self._margin, float(lifetime) / 4)
        return OAuthTokens(
            refresh_token=Secret(keep),
            access_token=Secret(access),
            refresh_at=now + float(lifetime) - margin,
            expires_at=now + float(lifetime),
            origin=self._origin,
            version=self._version + 1,
        )

    def _error(self, code: str, status: int, body: dict[str, Any]) -> CloseOAuthError:
        hint = _HINTS.get(code, "check the OAuth app and the token endpoint")
        said = error_summary({"error": body.get("error_description") or code})
        return CloseOAuthError(
            f"{self._app.label}: refreshing the OAuth access token failed ({status} {said}); "
            f"{hint}",
            reason=code,
            status=status,
        )


_HINTS = {
    "invalid_grant": "the refresh token was revoked or already used and no newer one is "
    "stored; authorise the OAuth app again and put the new refresh token in the connection",
    "invalid_client": "the client id or client secret in the connection is wrong",
}


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
