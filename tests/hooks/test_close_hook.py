"""CloseHook against the sandbox over real HTTP: connection forms, async path, secrets."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from urllib.parse import quote, urlsplit

import pytest
from pytest_mock import MockerFixture

from airflow_provider_close.client import CloseAuthError, CloseNotFoundError
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.sandbox import CloseSandbox


def test_constructor_does_no_io(sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_NOWHERE", raising=False)
    hook = CloseHook(close_conn_id="nowhere")  # the connection does not even exist
    assert hook.close_conn_id == "nowhere"
    assert sandbox.requests == []


def test_test_connection_succeeds(sandbox: CloseSandbox, close_conn: Callable[..., str]) -> None:
    ok, message = CloseHook().test_connection()
    assert ok, message
    assert sandbox.state.me["email"] in message
    assert [(r.method, r.path) for r in sandbox.requests] == [("GET", "/me/")]


def test_test_connection_reports_a_bad_key_without_raising(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    close_conn(password="api_wrong_key_0123456789")
    ok, message = CloseHook().test_connection()
    assert not ok
    assert "401" in message
    assert "api_wrong_key_0123456789" not in message


def test_test_connection_reports_a_missing_connection() -> None:
    ok, message = CloseHook(close_conn_id="does_not_exist").test_connection()
    assert not ok
    assert "does_not_exist" in message


def test_uri_connection_form(sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """The URI form: host percent-encoded with its scheme; extras come back as strings."""
    host = quote(sandbox.url, safe="")
    monkeypatch.setenv(
        "AIRFLOW_CONN_CLOSE_URI", f"close://:{sandbox.api_key}@{host}?timeout=7&max_retries=2"
    )
    hook = CloseHook(close_conn_id="close_uri")
    settings = hook.client_settings()
    assert (settings.base_url, settings.timeout, settings.max_attempts) == (sandbox.api_url, 7.0, 3)
    assert hook.get_me()["id"] == sandbox.state.me["id"]


def test_the_port_field_is_used_sync_and_async(
    sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON ``"port"``: the host without a port, the port in its own field (as the UI saves it)."""
    url = urlsplit(sandbox.url)
    conn = {
        "conn_type": "close",
        "host": f"{url.scheme}://{url.hostname}",
        "port": url.port,
        "password": sandbox.api_key,
    }
    monkeypatch.setenv("AIRFLOW_CONN_CLOSE_PORT", json.dumps(conn))
    hook = CloseHook(close_conn_id="close_port")
    ok, message = hook.test_connection()
    assert ok, message
    assert hook.client_settings().base_url == sandbox.api_url

    async def fetch() -> str:
        async with await CloseHook(close_conn_id="close_port").get_async_client() as client:
            return str((await client.get("me/"))["id"])

    assert asyncio.run(fetch()) == sandbox.state.me["id"]


@pytest.mark.parametrize(
    ("uri", "base_url"),
    [
        ("close://:api_key_x@127.0.0.1:8765", "https://127.0.0.1:8765/api/v1/"),
        ("close://:api_key_x@http%3A%2F%2F127.0.0.1:8765", "http://127.0.0.1:8765/api/v1/"),
    ],
)
def test_the_uri_forms_port_is_used(
    monkeypatch: pytest.MonkeyPatch, uri: str, base_url: str
) -> None:
    """``close://:KEY@127.0.0.1:8765``: Airflow parses the port into its own field."""
    monkeypatch.setenv("AIRFLOW_CONN_CLOSE_URI_PORT", uri)
    settings = CloseHook(close_conn_id="close_uri_port").client_settings()
    assert settings.base_url == base_url


def test_an_airflow_connection_with_a_port_survives_the_ui_tests_uri_round_trip(
    sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API server's Test exports the form as ``conn.get_uri()`` and runs the hook on it."""
    from airflow.models.connection import Connection

    url = urlsplit(sandbox.url)
    form = Connection(
        conn_id="tmp",
        conn_type="close",
        host=f"{url.scheme}://{url.hostname}",
        port=url.port,
        password=sandbox.api_key,
    )
    monkeypatch.setenv("AIRFLOW_CONN_CLOSE_FROM_FORM", form.get_uri())
    ok, message = CloseHook(close_conn_id="close_from_form").test_connection()
    assert ok, message


def test_oauth_access_token(sandbox: CloseSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {
        "conn_type": "close",
        "host": sandbox.url,
        "password": sandbox.access_token,
        "extra": {"auth_type": "oauth"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CLOSE_OAUTH", json.dumps(conn))
    assert CloseHook(close_conn_id="close_oauth").get_me()["id"] == sandbox.state.me["id"]


def test_resource_round_trip(sandbox: CloseSandbox, close_conn: Callable[..., str]) -> None:
    hook = CloseHook()
    lead = hook.create_lead({"name": "Acme", "contacts": [{"name": "Wile E."}]})
    assert lead["id"].startswith("lead_")
    assert hook.update_lead(lead["id"], {"description": "rockets"})["description"] == "rockets"
    assert hook.get_lead(lead["id"], fields=["id", "name"]) == {"id": lead["id"], "name": "Acme"}
    call = hook.create_activity(
        "call", {"lead_id": lead["id"], "direction": "outbound", "duration": 5}
    )
    assert call["id"].startswith("acti_")
    assert hook.get_activity("call", call["id"])["duration"] == 5
    task = hook.create_task({"lead_id": lead["id"], "text": "follow up", "date": "2026-01-02"})
    assert [t["id"] for t in hook.iter_items("task/", {"lead_id": lead["id"]})] == [task["id"]]
    hook.delete_lead(lead["id"])
    with pytest.raises(CloseNotFoundError):
        hook.get_activity("call", call["id"])
    assert {u["id"] for u in hook.list_users()} >= {sandbox.state.me["id"]}
    assert hook.get_user(sandbox.state.me["id"], fields=["id"]) == {"id": sandbox.state.me["id"]}
    assert hook.list_lead_statuses()


async def test_async_client_fetches_the_connection_asynchronously(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    async with await CloseHook().get_async_client() as client:
        me = await client.get("me/")
    assert me["id"] == sandbox.state.me["id"]


async def test_new_async_client_reads_the_connection_synchronously(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    client = CloseHook().new_async_client()  # no event loop needed for the lookup
    async with client:
        assert (await client.get("me/"))["id"] == sandbox.state.me["id"]


def test_the_connection_is_read_once_per_hook(
    sandbox: CloseSandbox, close_conn: Callable[..., str], mocker: MockerFixture
) -> None:
    """The sync client and a worker's async client share one secrets-backend lookup."""
    hook = CloseHook()
    lookup = mocker.spy(hook, "get_connection")
    hook.get_me()
    hook.new_async_client()
    assert lookup.call_count == 1


def test_key_never_appears_in_logs_reprs_or_errors(
    sandbox: CloseSandbox, close_conn: Callable[..., str], caplog: pytest.LogCaptureFixture
) -> None:
    import base64

    key = sandbox.api_key  # the session sandbox runs with a distinctive sentinel key
    caplog.set_level(logging.DEBUG)
    hook = CloseHook()
    hook.get_me()
    texts = [repr(hook), str(hook), repr(hook.client), repr(hook.client_settings())]
    with pytest.raises(CloseNotFoundError) as not_found:
        hook.get_lead("lead_" + "x" * 43)
    close_conn(password=key + "_wrong")
    with pytest.raises(CloseAuthError) as unauthorized:
        CloseHook().get_me()
    for err in (not_found.value, unauthorized.value):
        texts += [str(err), repr(err), repr(err.args)]
    texts += [record.getMessage() for record in caplog.records]
    encoded = base64.b64encode(f"{key}:".encode()).decode()
    for text in texts:
        assert key not in text
        assert encoded not in text
