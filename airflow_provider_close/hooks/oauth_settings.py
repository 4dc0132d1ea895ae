"""The refreshing-OAuth part of a Close connection, parsed in one place (no Airflow here).

With ``auth_type`` ``oauth`` and the extras ``client_id``, ``client_secret`` and
``refresh_token``, the client refreshes its access token itself (``client/oauth_auth.py``).
The password may hold a current access token, with ``access_token_expires_at`` (ISO 8601 or
epoch seconds) saying until when. Without those three extras, ``oauth`` keeps its old meaning:
the password is a fixed access token.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from airflow_provider_close.client import CloseConfigError
from airflow_provider_close.client.auth import Secret
from airflow_provider_close.client.oauth import OAuthApp, token_url_for
from airflow_provider_close.client.oauth_auth import OAuthRefreshAuth
from airflow_provider_close.client.timestamps import as_utc, parse_datetime_text
from airflow_provider_close.client.token_store import TokenStore

__all__ = ["OAUTH_FIELDS", "OAuthSettings", "oauth_settings"]

#: The extras that turn on refreshing OAuth; all three are needed.
OAUTH_FIELDS = ("client_id", "client_secret", "refresh_token")


@dataclass(frozen=True)
class OAuthSettings:
    """A refreshing OAuth connection; no secret appears in the repr.

    :param conn_id: the connection id (named in errors and in the token store's key).
    :param client_id: the OAuth app's client id.
    :param client_secret: the OAuth app's client secret.
    :param refresh_token: the refresh token the connection was given.
    :param access_token: a current access token, if the connection has one.
    :param expires_at: its expiry, epoch seconds, if known.
    """

    conn_id: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None

    def auth(
        self,
        base_url: str,
        store: TokenStore | None,
        on_secret: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> OAuthRefreshAuth:
        """Return the refreshing auth for a client of ``base_url``.

        :param base_url: the API base URL (the token endpoint sits beside ``/api/v1/``).
        :param store: the shared token store (default: this process only).
        :param on_secret: called with every token learnt (e.g. Airflow's ``mask_secret``).
        :param clock: epoch seconds (tests inject the sandbox clock).
        """
        app = OAuthApp(
            client_id=self.client_id,
            client_secret=Secret(self.client_secret),
            token_url=token_url_for(base_url),
            label=f"Close connection {self.conn_id!r}",
        )
        return OAuthRefreshAuth(
            app,
            self.refresh_token,
            store=store,
            access_token=self.access_token,
            expires_at=self.expires_at,
            on_secret=on_secret or (lambda _text: None),
            clock=clock,
        )


def _text(extra: Mapping[str, object], name: str) -> str:
    raw = extra.get(name)
    return raw.strip() if isinstance(raw, str) else ""


def _epoch(raw: object) -> float | None:
    """Return ``access_token_expires_at`` as epoch seconds (ISO 8601 or a number)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    try:
        return float(str(raw))
    except ValueError:
        pass
    moment = parse_datetime_text(str(raw).strip())
    if moment is None:
        raise CloseConfigError(
            f"connection extra access_token_expires_at: got {raw!r}; allowed: an ISO 8601 "
            "datetime such as 2026-01-01T12:00:00Z, or epoch seconds"
        )
    return as_utc(moment).timestamp()


def oauth_settings(
    password: str | None, extra: Mapping[str, object], conn_id: str
) -> OAuthSettings | None:
    """Return the refreshing-OAuth settings, or ``None`` when the connection has none.

    :param password: the connection's password (a current access token, optional).
    :param extra: the connection's extras.
    :param conn_id: the connection id.
    :raises CloseConfigError: when only some of the three OAuth extras are set.
    """
    given = {name: _text(extra, name) for name in OAUTH_FIELDS}
    if not any(given.values()):
        return None
    missing = [name for name, value in given.items() if not value]
    if missing:
        raise CloseConfigError(
            f"connection {conn_id!r} extras {', '.join(missing)}: empty; refreshing OAuth "
            f"needs all of {', '.join(OAUTH_FIELDS)}"
        )
    return OAuthSettings(
        conn_id=conn_id,
        client_id=given["client_id"],
        client_secret=given["client_secret"],
        refresh_token=given["refresh_token"],
        access_token=password or None,
        expires_at=_epoch(extra.get("access_token_expires_at")),
    )
