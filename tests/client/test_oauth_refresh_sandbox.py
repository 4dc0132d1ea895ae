"""Refreshing OAuth through the real sync and async clients against the sandbox's token endpoint.

The client reads the sandbox clock, frozen per test and moved by hand: no real waiting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from airflow_provider_close.client import AsyncCloseClient, CloseAuthError, CloseClient
from airflow_provider_close.client.auth import Secret
from airflow_provider_close.client.oauth import (
    CloseOAuthError,
    OAuthApp,
    OAuthTokens,
    token_url_for,
)
from airflow_provider_close.client.oauth_auth import OAuthRefreshAuth
from airflow_provider_close.client.token_store import MemoryTokenStore, TokenStore
from airflow_provider_close.sandbox import CloseSandbox

LABEL = "Close connection 'close_oauth'"


@pytest.fixture
def sb(sandbox: CloseSandbox) -> Iterator[CloseSandbox]:
    sandbox.clock.set(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    sandbox.oauth.configure(access_token_lifetime=100)
    return sandbox


def _auth(
    sb: CloseSandbox,
    refresh_token: str,
    *,
    store: TokenStore | None = None,
    clock: Callable[[], float] | None = None,
    seen: list[str] | None = None,
) -> OAuthRefreshAuth:
    app = OAuthApp(
        sb.oauth_client_id, Secret(sb.oauth_client_secret), token_url_for(sb.api_url), LABEL
    )
    return OAuthRefreshAuth(
        app,
        refresh_token,
        store=store,
        clock=clock or (lambda: sb.clock.now().timestamp()),
        on_secret=(seen.append if seen is not None else lambda _t: None),
    )


class BlindView(MemoryTokenStore):
    """Another worker's view of ``shared`` that misses its first ``blind_looks`` loads."""

    def __init__(self, shared: MemoryTokenStore, blind_looks: int) -> None:
        super().__init__()
        self.shared, self.blind_looks = shared, blind_looks

    def load(self) -> OAuthTokens | None:
        self.blind_looks -= 1
        return None if self.blind_looks >= 0 else self.shared.load()

    def save(self, tokens: OAuthTokens) -> None:
        self.shared.save(tokens)


def _bootstrap(sb: CloseSandbox) -> str:
    return str(sb.issue_oauth_tokens()["refresh_token"])


def _me_statuses(sb: CloseSandbox) -> list[int | None]:
    return [r.status for r in sb.requests if r.path == "/me/"]


def test_refreshes_once_per_expiry_and_never_sends_an_expired_token(sb: CloseSandbox) -> None:
    auth = _auth(sb, _bootstrap(sb))
    with CloseClient(auth=auth, base_url=sb.api_url) as client:
        for _ in range(100):  # 500 sandbox seconds = 5 lifetimes
            client.get("me/")
            sb.clock.advance(5)
    assert set(_me_statuses(sb)) == {200}
    # refresh a quarter lifetime early: t = 0, 75, 150, ..., 450
    assert [g.outcome for g in sb.oauth.grants] == ["granted"] * 7
    assert auth.refreshes == 7


def test_a_401_gets_one_new_token_and_one_resend(sb: CloseSandbox) -> None:
    auth = _auth(sb, _bootstrap(sb))
    with CloseClient(auth=auth, base_url=sb.api_url) as client:
        client.get("me/")
        sb.oauth.revoke(auth.secrets()[-2])  # Close revokes the access token early
        client.get("me/")
    assert _me_statuses(sb) == [200, 401, 200]
    assert len(sb.oauth.grants) == 2


def test_a_401_after_the_resend_is_raised_not_looped(
    sb: CloseSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = _auth(sb, _bootstrap(sb))
    with CloseClient(auth=auth, base_url=sb.api_url) as client:
        client.get("me/")
        monkeypatch.setattr(sb.credentials, "_issued_token_is_live", lambda _token: False)
        with pytest.raises(CloseAuthError):  # Close now rejects every token
            client.get("me/")
    assert _me_statuses(sb) == [200, 401, 401]
    assert len(sb.oauth.grants) == 2


@pytest.mark.parametrize(
    ("blind_looks", "outcomes"),
    [
        # B looked before A saved; by the time B holds the lock A's tokens are there: adopted
        (1, ["granted"]),
        # the lock lost a race: B also misses them under the lock, spends the token A already
        # rotated, gets invalid_grant, re-reads and adopts A's tokens
        (2, ["granted", "invalid_grant"]),
    ],
    ids=["rechecked under the lock", "invalid_grant then re-read"],
)
def test_a_rivals_refresh_is_adopted_not_repeated(
    sb: CloseSandbox, blind_looks: int, outcomes: list[str]
) -> None:
    bootstrap = _bootstrap(sb)
    shared = MemoryTokenStore()
    a = _auth(sb, bootstrap, store=shared)
    b = _auth(sb, bootstrap, store=BlindView(shared, blind_looks=blind_looks))
    with (
        CloseClient(auth=a, base_url=sb.api_url) as ca,
        CloseClient(auth=b, base_url=sb.api_url) as cb,
    ):
        ca.get("me/")
        cb.get("me/")
    assert [g.outcome for g in sb.oauth.grants] == outcomes
    assert (a.refreshes, b.refreshes) == (1, 0)
    assert _me_statuses(sb) == [200, 200]


def test_a_revoked_refresh_token_is_a_clear_error_naming_the_connection(
    sb: CloseSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bootstrap = _bootstrap(sb)
    sb.oauth.revoke(bootstrap)
    auth = _auth(sb, bootstrap)
    with CloseClient(auth=auth, base_url=sb.api_url) as client:
        with pytest.raises(CloseOAuthError) as excinfo:
            client.get("me/")
        texts = [str(excinfo.value), repr(excinfo.value), repr(client), repr(auth), caplog.text]
    assert "Close connection 'close_oauth'" in str(excinfo.value)
    assert "invalid_grant" in str(excinfo.value)
    assert excinfo.value.reason == "invalid_grant"
    assert _me_statuses(sb) == []  # nothing was sent with no token
    for secret in (bootstrap, sb.oauth_client_secret):
        assert not [t for t in texts if secret in t]


def test_async_client_shares_one_refresh_between_concurrent_requests(sb: CloseSandbox) -> None:
    seen: list[str] = []
    auth = _auth(sb, _bootstrap(sb), seen=seen)

    async def run() -> None:
        async with AsyncCloseClient(auth=auth, base_url=sb.api_url) as client:
            for _ in range(20):  # 400 sandbox seconds
                await asyncio.gather(*(client.get("me/") for _ in range(5)))
                sb.clock.advance(20)

    asyncio.run(run())
    assert set(_me_statuses(sb)) == {200}
    assert len(_me_statuses(sb)) == 100
    assert [g.outcome for g in sb.oauth.grants] == ["granted"] * 5  # t = 0, 80, ..., 320
    assert auth.refreshes == 5


def test_every_token_learnt_is_reported_for_masking(sb: CloseSandbox) -> None:
    seen: list[str] = []
    first = sb.issue_oauth_tokens()
    auth = _auth(sb, str(first["refresh_token"]), seen=seen)
    with CloseClient(auth=auth, base_url=sb.api_url) as client:
        for _ in range(3):
            client.get("me/")
            sb.clock.advance(90)
    from_refreshes = sb.oauth.token_texts() - {first["access_token"], first["refresh_token"]}
    assert len(from_refreshes) == 6  # three grants, two tokens each
    assert from_refreshes | {sb.oauth_client_secret, first["refresh_token"]} <= set(seen)
    assert set(auth.secrets()) <= set(seen)


def test_errors_redact_the_tokens_a_refresh_brought(sb: CloseSandbox) -> None:
    """Error texts are redacted with the auth's current secrets, so rotated tokens are too."""
    auth = _auth(sb, _bootstrap(sb))
    with CloseClient(auth=auth, base_url=sb.api_url) as client:
        for _ in range(3):
            client.get("me/")
            sb.clock.advance(90)
    current = [text for text in auth.secrets() if text]
    assert len(current) >= 3  # client secret, the bootstrap token, the refreshed ones
    echoed = " ".join(f"Authorization: Bearer {text}; raw {text}" for text in current)
    redacted = auth.redactor().text(echoed)
    assert not [text for text in current if text in redacted]
