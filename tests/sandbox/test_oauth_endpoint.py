"""The sandbox's OAuth token endpoint: rotation, expiry on the sandbox clock, Close's shapes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.__main__ import _argument_parser, sandbox_from_args


@pytest.fixture
def http(sandbox: CloseSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url) as client:
        yield client


def _refresh(http: httpx.Client, sb: CloseSandbox, token: str, **override: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "client_id": sb.oauth_client_id,
        "client_secret": sb.oauth_client_secret,
        "refresh_token": token,
        **override,
    }
    return http.post("/oauth2/token/", data=form)


def _me(http: httpx.Client, access_token: str) -> int:
    response = http.get("/api/v1/me/", headers={"Authorization": f"Bearer {access_token}"})
    return response.status_code


def test_refresh_rotates_and_revokes_the_old_refresh_token(
    sandbox: CloseSandbox, http: httpx.Client
) -> None:
    first = sandbox.issue_oauth_tokens()
    response = _refresh(http, sandbox, str(first["refresh_token"]))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "token_type",
        "access_token",
        "expires_in",
        "refresh_token",
        "scope",
        "organization_id",
        "user_id",
    }
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600)
    assert body["scope"] == "all.full_access offline_access"
    assert body["organization_id"].startswith("orga_")
    assert body["user_id"].startswith("user_")
    assert body["refresh_token"] != first["refresh_token"]
    assert _me(http, body["access_token"]) == 200

    again = _refresh(http, sandbox, str(first["refresh_token"]))  # the old one is revoked
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert [g.outcome for g in sandbox.oauth.grants] == ["granted", "invalid_grant"]


def test_access_tokens_expire_on_the_sandbox_clock(
    sandbox: CloseSandbox, http: httpx.Client
) -> None:
    http.post("/_sandbox/oauth", json={"access_token_lifetime": 5})
    grant = _refresh(http, sandbox, str(sandbox.issue_oauth_tokens()["refresh_token"])).json()
    assert grant["expires_in"] == 5
    sandbox.clock.advance(4.9)
    assert _me(http, grant["access_token"]) == 200
    sandbox.clock.advance(0.2)
    assert _me(http, grant["access_token"]) == 401
    unauthorized = http.get(
        "/api/v1/me/", headers={"Authorization": f"Bearer {grant['access_token']}"}
    )
    assert unauthorized.json() == {"error": "Unauthorized"}


@pytest.mark.parametrize(("revoke", "old_status"), [(True, 401), (False, 200)])
def test_a_refresh_revokes_the_previous_access_token_unless_told_not_to(
    sandbox: CloseSandbox, http: httpx.Client, revoke: bool, old_status: int
) -> None:
    http.post("/_sandbox/oauth", json={"revoke_access_on_refresh": revoke})
    old = _refresh(http, sandbox, str(sandbox.issue_oauth_tokens()["refresh_token"])).json()
    new = _refresh(http, sandbox, old["refresh_token"]).json()
    assert _me(http, old["access_token"]) == old_status
    assert _me(http, new["access_token"]) == 200


@pytest.mark.parametrize(
    ("override", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"client_id": "oa2client_unknown"}, 401, "invalid_client"),
        ({"refresh_token": "refresh_never_issued"}, 400, "invalid_grant"),
        ({"refresh_token": ""}, 400, "invalid_request"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_errors_have_the_oauth2_shape(
    sandbox: CloseSandbox,
    http: httpx.Client,
    override: dict[str, str],
    status: int,
    error: str,
) -> None:
    token = str(sandbox.issue_oauth_tokens()["refresh_token"])
    response = _refresh(http, sandbox, token, **override)
    assert (response.status_code, response.json()["error"]) == (status, error)
    assert sandbox.oauth.is_live_refresh_token(token)  # a failed call spends nothing


def test_json_bodies_are_refused(sandbox: CloseSandbox, http: httpx.Client) -> None:
    response = http.post("/oauth2/token/", json={"grant_type": "refresh_token"})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")


def test_revoke_endpoint_and_control_api(sandbox: CloseSandbox, http: httpx.Client) -> None:
    issued = http.post("/_sandbox/oauth", json={"issue": None}).json()
    revoked = http.post(
        "/oauth2/revoke/",
        data={
            "client_id": sandbox.oauth_client_id,
            "client_secret": sandbox.oauth_client_secret,
            "token": issued["refresh_token"],
        },
    )
    assert (revoked.status_code, revoked.json()) == (200, {})
    assert _refresh(http, sandbox, issued["refresh_token"]).json()["error"] == "invalid_grant"
    state = http.get("/_sandbox/oauth").json()
    assert state["client_ids"] == [sandbox.oauth_client_id]
    assert [g["outcome"] for g in state["grants"]] == ["invalid_grant"]
    assert sandbox.oauth_client_secret not in str(state)


def test_reset_forgets_tokens_and_restores_the_lifetime(
    sandbox: CloseSandbox, http: httpx.Client
) -> None:
    http.post("/_sandbox/oauth", json={"access_token_lifetime": 2})
    token = str(sandbox.issue_oauth_tokens()["refresh_token"])
    sandbox.reset()
    assert not sandbox.oauth.is_live_refresh_token(token)
    assert sandbox.oauth.access_token_lifetime == 3600
    assert sandbox.oauth.grants == []


def test_cli_configures_oauth() -> None:
    args = _argument_parser().parse_args(
        [
            "--oauth-client",
            "oa2client_cli:shh_secret",
            "--access-token-lifetime",
            "7",
            "--keep-access-on-refresh",
        ]
    )
    sb = sandbox_from_args(args)
    assert (sb.oauth_client_id, sb.oauth_client_secret) == ("oa2client_cli", "shh_secret")
    assert sb.oauth.access_token_lifetime == 7
    assert sb.oauth.revoke_access_on_refresh is False
    with pytest.raises(ValueError, match="CLIENT_ID:SECRET"):
        sandbox_from_args(_argument_parser().parse_args(["--oauth-client", "nocolon"]))
