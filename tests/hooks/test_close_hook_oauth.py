"""Refreshing OAuth connections: parsing, the hook against the sandbox, masking, safe failures."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from airflow_provider_close.client import CloseConfigError
from airflow_provider_close.client.oauth import CloseOAuthError
from airflow_provider_close.client.token_store import MemoryTokenStore
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.hooks.settings import settings_from_connection
from airflow_provider_close.sandbox import CloseSandbox

SECRET = "oa2secret_SENTINEL_hook_c0ffee"
REFRESH = "refresh_SENTINEL_hook_beef42"
EXTRA = {
    "auth_type": "oauth",
    "client_id": "oa2client_x",
    "client_secret": SECRET,
    "refresh_token": REFRESH,
}


def test_three_extras_turn_on_refreshing_oauth() -> None:
    settings = settings_from_connection(
        None,
        "access_SENTINEL_current",
        {**EXTRA, "access_token_expires_at": "2026-01-01T00:00:00Z"},
        "close_oauth",
    )
    assert settings.oauth is not None
    assert settings.oauth.expires_at == 1767225600.0
    assert settings.oauth.access_token == "access_SENTINEL_current"
    for text in (repr(settings), repr(settings.oauth), repr(settings.sync_client())):
        assert "SENTINEL" not in text


def test_without_the_extras_oauth_keeps_its_fixed_token_meaning() -> None:
    settings = settings_from_connection(None, "access_fixed", {"auth_type": "oauth"}, "c")
    assert settings.oauth is None
    assert settings.sync_client().auth.secrets() == ("access_fixed", "Bearer access_fixed")
    with pytest.raises(CloseConfigError, match="password"):
        settings_from_connection(None, None, {"auth_type": "oauth"}, "c")


@pytest.mark.parametrize("missing", ["client_id", "client_secret", "refresh_token"])
def test_a_partial_oauth_connection_names_what_is_missing(missing: str) -> None:
    extra = {**EXTRA, missing: ""}
    with pytest.raises(CloseConfigError, match=f"'close_oauth' extras {missing}: empty"):
        settings_from_connection(None, None, extra, "close_oauth")


@pytest.mark.parametrize(
    ("raw", "epoch"),
    [
        (1767225600, 1767225600.0),
        ("1767225600", 1767225600.0),
        ("2026-01-01T01:00:00+01:00", 1767225600.0),
    ],
)
def test_expiry_forms(raw: object, epoch: float) -> None:
    settings = settings_from_connection(None, "a", {**EXTRA, "access_token_expires_at": raw}, "c")
    assert settings.oauth is not None
    assert settings.oauth.expires_at == epoch


def test_a_bad_expiry_is_refused_naming_the_field() -> None:
    with pytest.raises(CloseConfigError, match="access_token_expires_at: got 'soon'"):
        settings_from_connection(None, "a", {**EXTRA, "access_token_expires_at": "soon"}, "c")


@pytest.fixture
def oauth_conn(sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    def make() -> str:
        bootstrap = str(sandbox.issue_oauth_tokens()["refresh_token"])
        conn = {
            "conn_type": "close",
            "host": sandbox.url,
            "extra": {
                **EXTRA,
                "client_id": sandbox.oauth_client_id,
                "client_secret": sandbox.oauth_client_secret,
                "refresh_token": bootstrap,
            },
        }
        monkeypatch.setenv("AIRFLOW_CONN_CLOSE_OAUTH", json.dumps(conn))
        return bootstrap

    return make


def test_the_hook_refreshes_and_registers_every_token_with_the_masker(
    sandbox: CloseSandbox, oauth_conn: Callable[[], str]
) -> None:
    from airflow.sdk.log import redact

    oauth_conn()
    hook = CloseHook("close_oauth", oauth_token_store=MemoryTokenStore())
    assert hook.get_me()["id"] == sandbox.state.me["id"]
    tokens = sandbox.oauth.token_texts()
    assert len(tokens) == 4  # the consent grant's pair and the refresh's pair
    for text in [*hook.client.auth.secrets(), sandbox.oauth_client_secret]:
        assert redact(f"x {text} y") == "x *** y"
    assert "refresh_" not in repr(hook)
    assert "refresh_" not in repr(hook.client)


async def test_the_async_path_refreshes_too(
    sandbox: CloseSandbox, oauth_conn: Callable[[], str]
) -> None:
    oauth_conn()
    store = MemoryTokenStore()
    async with await CloseHook("close_oauth", oauth_token_store=store).get_async_client() as c:
        assert (await c.get("me/"))["id"] == sandbox.state.me["id"]
    assert store.load() is not None
    assert [g.outcome for g in sandbox.oauth.grants] == ["granted"]


def test_outside_a_task_the_hook_refuses_to_rotate_what_it_cannot_store(
    sandbox: CloseSandbox, oauth_conn: Callable[[], str]
) -> None:
    """No Execution API here: writing the Variable fails, so the refresh token is not spent."""
    bootstrap = oauth_conn()
    with pytest.raises(CloseOAuthError) as excinfo:
        CloseHook("close_oauth").get_me()
    assert "close_oauth_token__close_oauth" in str(excinfo.value)
    assert sandbox.oauth.grants == []
    assert sandbox.oauth.is_live_refresh_token(bootstrap)
    ok, message = CloseHook("close_oauth").test_connection()
    assert not ok
    assert "close_oauth_token__close_oauth" in message
    assert bootstrap not in message
    assert sandbox.oauth_client_secret not in message
