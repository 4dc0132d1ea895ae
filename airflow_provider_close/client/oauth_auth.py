"""``OAuthRefreshAuth``: a Bearer auth that refreshes itself, driven by both httpx clients.

Before each request it uses a fresh access token (from memory, else from the token store, else
by refreshing under the store's lock); on a 401 it gets a newer token once and re-sends. The
token request goes through the same httpx client (so the same transport), yielded from the auth
flow. Every decision is in :mod:`.oauth` (sans-I/O); the sync and async flows below differ only
in how they call the store (directly, or in a thread) and read responses.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import cast

import httpx

from airflow_provider_close.client.auth import CloseAuth, Secret
from airflow_provider_close.client.oauth import (
    DEFAULT_REFRESH_MARGIN,
    CloseOAuthError,
    Granted,
    OAuthApp,
    OAuthTokens,
    Refresh,
    Reread,
    SendToken,
    fingerprint,
    is_fresh,
)
from airflow_provider_close.client.token_store import Lease, MemoryTokenStore, TokenStore

__all__ = ["OAuthRefreshAuth"]


@dataclass(frozen=True)
class Load:
    """Read the token store."""


@dataclass(frozen=True)
class Acquire:
    """Take the store's refresh lock (or wait out another holder)."""


@dataclass(frozen=True)
class Release:
    """Let go of a lease."""

    lease: Lease


@dataclass(frozen=True)
class Save:
    """Write new tokens to the store."""

    tokens: OAuthTokens


StoreCall = Load | Acquire | Release | Save
Effect = StoreCall | httpx.Request

#: Rounds of "wait for the other refresher, look again" before giving up.
_MAX_LOCK_ROUNDS = 3


class OAuthRefreshAuth(CloseAuth):
    """Bearer auth with refresh and rotation; ``repr`` and pickling never reveal a token.

    :param app: the OAuth app (client id/secret, token URL, label for errors).
    :param refresh_token: the connection's refresh token (used when the store has none).
    :param store: shared token state and lock (default: this process only).
    :param access_token: a current access token to start with, if any.
    :param expires_at: its expiry in epoch seconds (``None``: use it until a 401).
    :param margin: refresh this many seconds before expiry (at most a quarter lifetime).
    :param clock: epoch seconds.
    :param on_secret: called with every token text learnt (e.g. to register it for masking).
    """

    def __init__(
        self,
        app: OAuthApp,
        refresh_token: str,
        *,
        store: TokenStore | None = None,
        access_token: str | None = None,
        expires_at: float | None = None,
        margin: float = DEFAULT_REFRESH_MARGIN,
        clock: Callable[[], float] = time.time,
        on_secret: Callable[[str], None] = lambda _text: None,
    ) -> None:
        super().__init__("")
        self._app = app
        self._bootstrap = Secret(refresh_token)
        self._store: TokenStore = store if store is not None else MemoryTokenStore()
        self._cached: OAuthTokens | None = None
        if access_token:
            self._cached = OAuthTokens(
                refresh_token=self._bootstrap,
                access_token=Secret(access_token),
                refresh_at=None if expires_at is None else expires_at - margin,
                expires_at=expires_at,
            )
        self._margin, self._clock, self._on_secret = margin, clock, on_secret
        self._thread_lock = threading.Lock()
        self._async_lock: asyncio.Lock | None = None
        self.refreshes = 0
        for text in (app.client_secret.reveal(), refresh_token, access_token):
            if text:
                on_secret(text)

    def secrets(self) -> tuple[str, ...]:
        """Return every secret this auth holds now (client secret, access and refresh tokens)."""
        current = self._cached.secrets() if self._cached else ()
        return (self._app.client_secret.reveal(), self._bootstrap.reveal(), *current)

    # -- the two drivers ------------------------------------------------------------------------
    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Authorise ``request``, refreshing as needed; re-send it once after a 401.

        :param request: the outgoing request.
        """
        rejected: str | None = None
        for _send in range(2):
            tokens = self._fresh_cached(rejected)
            if tokens is None:
                with self._thread_lock:
                    tokens = yield from self._sync_obtain(rejected)
            response = yield _authorized(request, tokens)
            if response.status_code != 401:
                return
            rejected = _access(tokens)

    def _sync_obtain(
        self, rejected: str | None
    ) -> Generator[httpx.Request, httpx.Response, OAuthTokens]:
        effects, leases = self._obtain(rejected), list[Lease]()
        reply: object = None
        try:
            while True:
                try:
                    effect = effects.send(reply)
                except StopIteration as done:
                    return cast(OAuthTokens, done.value)
                if isinstance(effect, httpx.Request):
                    response = yield effect
                    response.read()
                    reply = response
                else:
                    reply = self._run_store(effect, leases)
        finally:
            for lease in leases:
                self._store.release(lease)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Like :meth:`sync_auth_flow`; store calls run in a thread, off the event loop.

        (An async generator cannot ``yield from``, so the effect loop is written out here.)

        :param request: the outgoing request.
        """
        rejected: str | None = None
        for _send in range(2):
            tokens = self._fresh_cached(rejected)
            if tokens is None:
                async with self._lock_for_loop():
                    effects, leases = self._obtain(rejected), list[Lease]()
                    reply: object = None
                    try:
                        while True:
                            try:
                                effect = effects.send(reply)
                            except StopIteration as done:
                                tokens = cast(OAuthTokens, done.value)
                                break
                            if isinstance(effect, httpx.Request):
                                response = yield effect
                                await response.aread()
                                reply = response
                            else:
                                reply = await asyncio.to_thread(self._run_store, effect, leases)
                    finally:
                        for lease in leases:
                            await asyncio.to_thread(self._store.release, lease)
            response = yield _authorized(request, tokens)
            if response.status_code != 401:
                return
            rejected = _access(tokens)

    def _lock_for_loop(self) -> asyncio.Lock:
        if self._async_lock is None:
            self._async_lock = asyncio.Lock()
        return self._async_lock

    # -- the one decision procedure, as effects ---------------------------------------------
    def _obtain(self, rejected: str | None) -> Generator[Effect, object, OAuthTokens]:
        """Yield the store calls and token requests that produce a fresh access token."""
        for _round in range(_MAX_LOCK_ROUNDS):
            if (tokens := self._fresh_cached(rejected)) is not None:
                return tokens
            loaded = cast(OAuthTokens | None, (yield Load()))
            if (tokens := self._adopted(loaded, rejected)) is not None:
                return tokens
            lease = cast(Lease, (yield Acquire()))
            stored = cast(OAuthTokens | None, (yield Load()))
            tokens = self._adopted(stored, rejected)
            if tokens is not None or not lease.held:
                yield Release(lease)
                if tokens is not None:
                    return tokens
                continue  # someone else refreshed: look at what they stored
            refresh = Refresh(self._app, stored, self._bootstrap, self._margin)
            step: SendToken | Reread | Granted = refresh.first()
            while not isinstance(step, Granted):
                if isinstance(step, SendToken):
                    response = cast(httpx.Response, (yield step.request))
                    step = refresh.on_response(response, self._clock())
                else:
                    reread = cast(OAuthTokens | None, (yield Load()))
                    step = refresh.on_reread(reread, self._clock())
            if step.new:
                yield Save(step.tokens)
            yield Release(lease)
            return self._keep(step)
        raise self._lock_error()

    def _run_store(self, effect: StoreCall, leases: list[Lease]) -> object:
        """Perform one store call (blocking; the async driver runs it in a thread)."""
        if isinstance(effect, Load):
            return self._store.load()
        if isinstance(effect, Save):
            self._store.save(effect.tokens)
            return None
        if isinstance(effect, Acquire):
            lease = self._store.acquire()
            leases.append(lease)
            return lease
        leases.remove(effect.lease)
        self._store.release(effect.lease)
        return None

    # -- shared, no I/O -----------------------------------------------------------------------
    def _fresh_cached(self, rejected: str | None) -> OAuthTokens | None:
        cached = self._cached
        return cached if is_fresh(cached, self._clock(), rejected) else None

    def _adopted(self, stored: OAuthTokens | None, rejected: str | None) -> OAuthTokens | None:
        """Return stored tokens when they are fresh and still descend from the connection."""
        if stored is None or stored.origin != _origin(self._bootstrap):
            return None
        if not is_fresh(stored, self._clock(), rejected):
            return None
        return self._remember(stored)

    def _keep(self, granted: Granted) -> OAuthTokens:
        if granted.new:
            self.refreshes += 1
        return self._remember(granted.tokens)

    def _remember(self, tokens: OAuthTokens) -> OAuthTokens:
        if self._cached is None or tokens.secrets() != self._cached.secrets():
            for text in tokens.secrets():
                self._on_secret(text)
        self._cached = tokens
        return tokens

    def _lock_error(self) -> CloseOAuthError:
        return CloseOAuthError(
            f"{self._app.label}: another worker kept refreshing the OAuth token without "
            "leaving a usable one in the token store",
            reason="lock",
        )


def _origin(bootstrap: Secret) -> str:
    return fingerprint(bootstrap.reveal())


def _access(tokens: OAuthTokens) -> str | None:
    return tokens.access_token.reveal() if tokens.access_token else None


def _authorized(request: httpx.Request, tokens: OAuthTokens) -> httpx.Request:
    if tokens.access_token is None:  # pragma: no cover - fresh tokens always carry one
        raise CloseOAuthError("no access token", reason="response")
    request.headers["Authorization"] = f"Bearer {tokens.access_token.reveal()}"
    return request
