"""The sans-I/O half of refreshing OAuth: URLs, token records and the refresh decisions."""

from __future__ import annotations

import pickle
from urllib.parse import parse_qs

import httpx
import pytest

from airflow_provider_close.client.auth import Secret
from airflow_provider_close.client.oauth import (
    CloseOAuthError,
    Granted,
    OAuthApp,
    OAuthTokens,
    Refresh,
    Reread,
    SendToken,
    fingerprint,
    is_fresh,
    token_url_for,
)

SECRET = "oa2secret_SENTINEL_pure_7d1"
BOOT = "refresh_SENTINEL_boot_41a"
APP = OAuthApp("oa2client_x", Secret(SECRET), "https://api.close.com/oauth2/token/", "conn 'c'")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("https://api.close.com/api/v1/", "https://api.close.com/oauth2/token/"),
        ("http://127.0.0.1:8765/api/v1/", "http://127.0.0.1:8765/oauth2/token/"),
        ("https://proxy.example/close/api/v1/", "https://proxy.example/close/oauth2/token/"),
        ("https://proxy.example/close/", "https://proxy.example/close/oauth2/token/"),
    ],
)
def test_token_url_sits_beside_the_api(base: str, expected: str) -> None:
    assert token_url_for(base) == expected


def test_the_refresh_request_is_form_encoded() -> None:
    request = APP.refresh_request(Secret(BOOT))
    assert (request.method, str(request.url)) == ("POST", APP.token_url)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
    assert form == {
        "grant_type": "refresh_token",
        "client_id": "oa2client_x",
        "client_secret": SECRET,
        "refresh_token": BOOT,
    }


def _granted(access: str = "a2", refresh: str = "r2", expires_in: float = 3600) -> httpx.Response:
    body = {"access_token": access, "refresh_token": refresh, "expires_in": expires_in}
    return httpx.Response(200, json=body)


def test_a_grant_yields_tokens_refreshed_before_expiry() -> None:
    refresh = Refresh(APP, None, Secret(BOOT))
    assert isinstance(refresh.first(), SendToken)
    step = refresh.on_response(_granted(expires_in=3600), now=1000.0)
    assert isinstance(step, Granted)
    assert step.new
    tokens = step.tokens
    assert (tokens.expires_at, tokens.refresh_at) == (4600.0, 4540.0)  # 60 s early
    assert tokens.origin == fingerprint(BOOT)
    assert tokens.version == 1
    short = Refresh(APP, None, Secret(BOOT)).on_response(_granted(expires_in=8), now=0.0)
    assert isinstance(short, Granted)
    assert short.tokens.refresh_at == 6.0


def test_the_stored_refresh_token_is_spent_unless_the_connection_changed() -> None:
    stored = OAuthTokens(refresh_token=Secret("r_stored"), origin=fingerprint(BOOT), version=4)
    request = Refresh(APP, stored, Secret(BOOT)).first().request
    assert "refresh_token=r_stored" in request.content.decode()
    reauthorised = Refresh(APP, stored, Secret("refresh_new_from_connection")).first().request
    assert "refresh_token=refresh_new_from_connection" in reauthorised.content.decode()


def test_invalid_grant_rereads_and_adopts_what_another_worker_stored() -> None:
    refresh = Refresh(APP, None, Secret(BOOT))
    refresh.first()
    assert isinstance(
        refresh.on_response(httpx.Response(400, json={"error": "invalid_grant"}), 0), Reread
    )
    theirs = OAuthTokens(Secret("r9"), Secret("a9"), refresh_at=50.0, origin=fingerprint(BOOT))
    assert refresh.on_reread(theirs, now=10.0) == Granted(theirs, new=False)


def test_invalid_grant_retries_with_a_newer_but_stale_stored_token() -> None:
    refresh = Refresh(APP, None, Secret(BOOT))
    refresh.first()
    refresh.on_response(httpx.Response(400, json={"error": "invalid_grant"}), 0)
    stale = OAuthTokens(Secret("r9"), Secret("a9"), refresh_at=5.0, origin=fingerprint(BOOT))
    step = refresh.on_reread(stale, now=10.0)
    assert isinstance(step, SendToken)
    assert "refresh_token=r9" in step.request.content.decode()


@pytest.mark.parametrize(
    "stored",
    [None, OAuthTokens(Secret(BOOT), origin=fingerprint(BOOT))],
    ids=["nothing stored", "same token stored"],
)
def test_invalid_grant_with_nothing_newer_is_a_clear_error(stored: OAuthTokens | None) -> None:
    refresh = Refresh(APP, stored, Secret(BOOT))
    refresh.first()
    refresh.on_response(httpx.Response(400, json={"error": "invalid_grant"}), 0)
    with pytest.raises(CloseOAuthError) as excinfo:
        refresh.on_reread(stored, now=0)
    message = str(excinfo.value)
    assert "conn 'c'" in message
    assert "authorise the OAuth app again" in message
    assert excinfo.value.reason == "invalid_grant"
    assert BOOT not in message
    assert SECRET not in message


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (httpx.Response(401, json={"error": "invalid_client"}), "invalid_client"),
        (httpx.Response(503, text="down"), "http_503"),
        (httpx.Response(200, json={"token_type": "Bearer"}), "response"),
    ],
)
def test_other_answers_raise(response: httpx.Response, reason: str) -> None:
    with pytest.raises(CloseOAuthError) as excinfo:
        Refresh(APP, None, Secret(BOOT)).on_response(response, 0)
    assert excinfo.value.reason == reason
    assert "conn 'c'" in str(excinfo.value)


def test_freshness() -> None:
    tokens = OAuthTokens(Secret("r"), Secret("a"), refresh_at=100.0)
    assert is_fresh(tokens, 99.9)
    assert not is_fresh(tokens, 100.0)
    assert not is_fresh(tokens, 0.0, rejected="a")
    assert is_fresh(OAuthTokens(Secret("r"), Secret("a")), 1e12)  # unknown expiry: until 401
    assert not is_fresh(OAuthTokens(Secret("r")), 0.0)
    assert not is_fresh(None, 0.0)


def test_token_records_round_trip_and_hide_their_secrets() -> None:
    tokens = OAuthTokens(Secret(BOOT), Secret("a_SENTINEL"), 1.0, 2.0, "fp", 3)
    again = OAuthTokens.from_json(tokens.to_json())
    assert again == tokens
    assert again.version == 3
    assert BOOT not in repr(tokens)
    assert "a_SENTINEL" not in repr(tokens)
    assert SECRET not in repr(APP)
    with pytest.raises(TypeError):
        pickle.dumps(tokens)
    with pytest.raises(ValueError, match="token record"):
        OAuthTokens.from_json('{"access_token": "x"}')


def test_oauth_errors_pickle() -> None:
    error = CloseOAuthError("conn 'c': nope", reason="invalid_grant", status=400)
    again = pickle.loads(pickle.dumps(error))
    assert (str(again), again.reason, again.status) == (str(error), "invalid_grant", 400)
