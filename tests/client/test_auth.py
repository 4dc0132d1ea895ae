"""Authentication headers, the exactly-one-credential rule and reprs that hide secrets."""

from __future__ import annotations

import pickle

import httpx
import pytest

from airflow_provider_close.client.auth import ApiKeyAuth, BearerAuth, auth_for
from airflow_provider_close.client.errors import CloseConfigError

SECRET = "sk_auth_test_secret_77"


def header_sent(auth: httpx.Auth) -> str:
    request = httpx.Request("GET", "https://api.close.com/api/v1/me/")
    flow = auth.sync_auth_flow(request)
    return next(flow).headers["Authorization"]


def test_api_key_is_basic_with_an_empty_password() -> None:
    # close-api.md §1: key "yourapikey" -> "Basic eW91cmFwaWtleTo="
    assert header_sent(ApiKeyAuth("yourapikey")) == "Basic eW91cmFwaWtleTo="


def test_access_token_is_bearer() -> None:
    assert header_sent(BearerAuth("tok")) == "Bearer tok"


@pytest.mark.parametrize(
    ("api_key", "token", "cls"), [(SECRET, None, ApiKeyAuth), (None, SECRET, BearerAuth)]
)
def test_auth_for_picks_the_one_given(api_key: str | None, token: str | None, cls: type) -> None:
    assert type(auth_for(api_key, token)) is cls


@pytest.mark.parametrize(
    ("api_key", "token"), [(None, None), (SECRET, SECRET), ("", None), ("  ", None), (None, " x")]
)
def test_auth_for_refuses_none_both_or_blank(api_key: str | None, token: str | None) -> None:
    with pytest.raises(CloseConfigError) as excinfo:
        auth_for(api_key, token)
    assert SECRET not in str(excinfo.value)


@pytest.mark.parametrize("auth", [ApiKeyAuth(SECRET), BearerAuth(SECRET)])
def test_reprs_and_pickling_never_show_the_secret(auth: httpx.Auth) -> None:
    assert SECRET not in repr(auth)
    assert SECRET not in str(auth)
    assert "redacted" in repr(auth)
    assert SECRET not in repr(vars(auth))
    with pytest.raises(TypeError, match="secret"):
        pickle.dumps(auth)


def test_secrets_lists_what_redaction_must_hide() -> None:
    assert ApiKeyAuth(SECRET).secrets() == (SECRET, header_sent(ApiKeyAuth(SECRET)))
    assert BearerAuth(SECRET).secrets() == (SECRET, f"Bearer {SECRET}")
