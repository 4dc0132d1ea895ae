"""Turn an Airflow connection's fields into Close client settings, in one place.

Pure and Airflow-free: the sync hook, the async hook path and the tests all parse a connection
through :func:`settings_from_connection`, so the rules exist once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from airflow_provider_close.client import (
    AsyncCloseClient,
    CloseClient,
    CloseConfigError,
    RetryPolicy,
)
from airflow_provider_close.client.token_store import TokenStore
from airflow_provider_close.client.validation import validated
from airflow_provider_close.hooks.oauth_settings import OAuthSettings, oauth_settings

__all__ = [
    "DEFAULT_HOST",
    "ClientSettings",
    "ConnectionExtras",
    "api_base_url",
    "connection_extras",
    "settings_from_connection",
]

DEFAULT_HOST = "https://api.close.com"
_API_PREFIX = "/api/v1/"
_DEFAULT_PORTS = {"http": 80, "https": 443}
AuthType = Literal["api_key", "oauth"]
OnSecret = Callable[[str], None] | None


def _number_text(raw: object) -> object:
    """Read the URI form's strings as numbers (``"2.0"`` is the integer 2, as ``2.0`` is)."""
    if isinstance(raw, str):
        try:
            return float(raw)
        except ValueError:
            return raw
    return raw


class ConnectionExtras(BaseModel):
    """The connection extras the client settings read (the OAuth ones: ``oauth_settings``).

    Values written in the URI form arrive as strings and are parsed the same way; an empty
    value means the default; unknown extras are ignored (Airflow's form adds its own).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    auth_type: AuthType = "api_key"
    timeout: Annotated[float, BeforeValidator(_number_text), Field(ge=1)] = 30.0
    max_retries: Annotated[int, BeforeValidator(_number_text), Field(ge=0)] = 5
    max_total_wait: Annotated[float, BeforeValidator(_number_text), Field(ge=0)] = 300.0


def _config_error(field: str, value: object, allowed: str) -> Exception:
    return CloseConfigError(f"{field}: got {value!r}; allowed: {allowed}")


def connection_extras(extra: Mapping[str, object]) -> ConnectionExtras:
    """Return the validated extras; raise ``CloseConfigError`` naming the extra and what it allows.

    :param extra: the connection's extras (``None`` or ``""`` values mean "use the default").
    """
    given = {name: value for name, value in extra.items() if value is not None and value != ""}
    return validated(ConnectionExtras, given, prefix="connection extra ", error=_config_error)


@dataclass(frozen=True)
class ClientSettings:
    """Everything needed to build a Close client; ``secret`` never appears in the repr."""

    base_url: str
    auth_type: AuthType
    timeout: float
    max_attempts: int
    max_total_wait: float
    secret: str = field(repr=False)
    oauth: OAuthSettings | None = None

    @property
    def _api_key(self) -> str | None:
        return self.secret if self.auth_type == "api_key" else None

    @property
    def _access_token(self) -> str | None:
        return self.secret if self.auth_type == "oauth" and self.oauth is None else None

    def _credentials(self, token_store: TokenStore | None, on_secret: OnSecret) -> dict[str, Any]:
        if self.oauth is None:
            return {"api_key": self._api_key, "access_token": self._access_token}
        return {"auth": self.oauth.auth(self.base_url, token_store, on_secret)}

    def _retry(self) -> RetryPolicy:
        return RetryPolicy(max_attempts=self.max_attempts, max_total_wait=self.max_total_wait)

    def sync_client(
        self, token_store: TokenStore | None = None, on_secret: OnSecret = None
    ) -> CloseClient:
        """Build a :class:`CloseClient` from these settings.

        :param token_store: where refreshing OAuth keeps its tokens (default: this process).
        :param on_secret: called with each OAuth token learnt (to register it for masking).
        """
        return CloseClient(
            **self._credentials(token_store, on_secret),
            base_url=self.base_url,
            timeout=self.timeout,
            retry=self._retry(),
        )

    def async_client(
        self, token_store: TokenStore | None = None, on_secret: OnSecret = None
    ) -> AsyncCloseClient:
        """Build an :class:`AsyncCloseClient` from these settings.

        :param token_store: where refreshing OAuth keeps its tokens (default: this process).
        :param on_secret: called with each OAuth token learnt (to register it for masking).
        """
        return AsyncCloseClient(
            **self._credentials(token_store, on_secret),
            base_url=self.base_url,
            timeout=self.timeout,
            retry=self._retry(),
        )


def api_base_url(host: str | None, port: int | str | None = None) -> str:
    """Return the API base URL for a connection host (and the connection's port field).

    An empty host means Close itself; a host without a scheme gets ``https://`` (the URI form of
    an Airflow connection drops it); ``/api/v1/`` is appended unless already there; any
    credentials written into the URL are dropped. ``port`` (the connection's Port field; the
    URI form ``close://:KEY@127.0.0.1:8765`` puts the port there) is used unless empty or 0; a
    port written in the host too must be the same.
    """
    text = (host or "").strip() or DEFAULT_HOST
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    try:
        host_port = parts.port
    except ValueError:
        host_port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or host_port == -1:
        raise CloseConfigError(
            f"connection host: got {host!r}; allowed: an http(s) URL such as {DEFAULT_HOST}"
        )
    field_port = _port(port)
    if field_port and host_port and field_port != host_port:
        raise CloseConfigError(
            f"connection port: got {field_port}, but the host {host!r} names port {host_port}; "
            "allowed: the same port, or the port in one place only"
        )
    chosen = field_port or host_port
    if chosen == _DEFAULT_PORTS[parts.scheme]:
        chosen = None  # https://api.close.com:443 is https://api.close.com
    hostname = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname  # IPv6
    netloc = hostname + (f":{chosen}" if chosen else "")
    path = parts.path.rstrip("/")
    if not path.endswith(_API_PREFIX.rstrip("/")):
        path += _API_PREFIX.rstrip("/")
    return urlunsplit((parts.scheme, netloc, path + "/", "", ""))


def _port(raw: int | str | None) -> int | None:
    """Return the connection's Port field as an int; ``None`` when empty or 0 (not set)."""
    if raw is None or raw in ("", 0, "0"):
        return None
    try:
        value = int(str(raw))
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise CloseConfigError(f"connection port: got {raw!r}; allowed: an integer 1-65535")
    return value


def settings_from_connection(
    host: str | None,
    password: str | None,
    extra: Mapping[str, object],
    conn_id: str = "close_default",
    port: int | str | None = None,
) -> ClientSettings:
    """Build :class:`ClientSettings` from a connection's host, password and extras.

    Extras written in the URI form arrive as strings; they are parsed the same way.

    :param host: the connection's host ("API base URL").
    :param password: the API key, or the OAuth access token when ``auth_type`` is ``oauth``.
    :param extra: the connection's extras (``timeout``, ``max_retries``, ``max_total_wait``,
        ``auth_type``; for refreshing OAuth ``client_id``, ``client_secret``,
        ``refresh_token``, ``access_token_expires_at``).
    :param conn_id: the connection id, named in error messages.
    :param port: the connection's port, if any (see :func:`api_base_url`).
    """
    extras = connection_extras(extra)
    auth_type = extras.auth_type
    oauth = oauth_settings(password, extra, conn_id) if auth_type == "oauth" else None
    if not password and oauth is None:
        raise CloseConfigError(
            "connection password: the Close API key is empty; set it as the password"
        )
    return ClientSettings(
        base_url=api_base_url(host, port),
        auth_type=auth_type,
        timeout=extras.timeout,
        max_attempts=extras.max_retries + 1,
        max_total_wait=extras.max_total_wait,
        secret=password or "",
        oauth=oauth,
    )
