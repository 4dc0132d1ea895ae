"""Connection fields -> client settings: the one place connection parsing happens."""

from __future__ import annotations

import pytest

from airflow_provider_close.client import CloseConfigError
from airflow_provider_close.hooks.settings import api_base_url, settings_from_connection

KEY = "api_SECRETSECRETSECRET"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        (None, "https://api.close.com/api/v1/"),
        ("", "https://api.close.com/api/v1/"),
        ("api.close.com", "https://api.close.com/api/v1/"),
        ("https://api.close.com", "https://api.close.com/api/v1/"),
        ("https://api.close.com/", "https://api.close.com/api/v1/"),
        ("https://api.close.com/api/v1", "https://api.close.com/api/v1/"),
        ("https://api.close.com/api/v1/", "https://api.close.com/api/v1/"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/api/v1/"),
        ("127.0.0.1:8765", "https://127.0.0.1:8765/api/v1/"),
        ("https://user:pw@proxy.example/close", "https://proxy.example/close/api/v1/"),
    ],
)
def test_api_base_url(host: str | None, expected: str) -> None:
    assert api_base_url(host) == expected


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        # The URI form close://:KEY@127.0.0.1:8765 gives host "127.0.0.1" and port 8765.
        ("127.0.0.1", 8765, "https://127.0.0.1:8765/api/v1/"),
        ("http://127.0.0.1", 8765, "http://127.0.0.1:8765/api/v1/"),
        ("http://127.0.0.1/api/v1/", "8765", "http://127.0.0.1:8765/api/v1/"),
        ("http://127.0.0.1:8765", 8765, "http://127.0.0.1:8765/api/v1/"),
        (None, 8443, "https://api.close.com:8443/api/v1/"),
        # The scheme's own port (the form's Port filled in for Airflow 3.3.2's Test button).
        ("https://api.close.com", 443, "https://api.close.com/api/v1/"),
        ("https://api.close.com:443", 443, "https://api.close.com/api/v1/"),
        ("http://127.0.0.1", 80, "http://127.0.0.1/api/v1/"),
        ("http://[::1]", 8765, "http://[::1]:8765/api/v1/"),
        ("http://[::1]:8765", None, "http://[::1]:8765/api/v1/"),
        # Not set: None from the JSON form, 0 or "" from the UI's form.
        ("http://127.0.0.1:8765", None, "http://127.0.0.1:8765/api/v1/"),
        ("http://127.0.0.1:8765", 0, "http://127.0.0.1:8765/api/v1/"),
        ("https://api.close.com", "", "https://api.close.com/api/v1/"),
    ],
)
def test_api_base_url_uses_the_port_field(
    host: str | None, port: int | str | None, expected: str
) -> None:
    assert api_base_url(host, port) == expected
    assert settings_from_connection(host, KEY, {}, port=port).base_url == expected


@pytest.mark.parametrize(
    ("host", "port", "message"),
    [
        ("http://127.0.0.1:8765", 8766, "connection port: got 8766, but the host .* port 8765"),
        ("http://127.0.0.1", 70000, "connection port: got 70000; allowed: an integer 1-65535"),
        ("http://127.0.0.1", "http", "connection port: got 'http'; allowed: an integer 1-65535"),
        ("http://127.0.0.1:99999", None, "connection host: got 'http://127.0.0.1:99999'"),
    ],
)
def test_bad_ports_are_named(host: str, port: int | str | None, message: str) -> None:
    with pytest.raises(CloseConfigError, match=message):
        api_base_url(host, port)


@pytest.mark.parametrize("host", ["ftp://api.close.com", "https://", "http:///api/v1"])
def test_api_base_url_rejects(host: str) -> None:
    with pytest.raises(CloseConfigError, match="connection host"):
        api_base_url(host)


def test_defaults() -> None:
    s = settings_from_connection("api.close.com", KEY, {})
    assert (s.auth_type, s.timeout, s.max_attempts, s.max_total_wait) == ("api_key", 30.0, 6, 300.0)


def test_uri_form_extras_arrive_as_strings() -> None:
    s = settings_from_connection(
        None,
        KEY,
        {"timeout": "12.5", "max_retries": "2", "max_total_wait": "60", "auth_type": "oauth"},
    )
    assert (s.auth_type, s.timeout, s.max_attempts, s.max_total_wait) == ("oauth", 12.5, 3, 60.0)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": "soon"}, "timeout"),
        ({"timeout": "nan"}, "timeout"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"max_total_wait": -5}, "max_total_wait"),
        ({"auth_type": "basic"}, "auth_type"),
    ],
)
def test_bad_extras_name_the_field_and_allowed_values(extra: dict[str, object], field: str) -> None:
    with pytest.raises(CloseConfigError, match=f"extra {field}: got .*allowed") as info:
        settings_from_connection(None, KEY, extra)
    assert KEY not in str(info.value)


def test_empty_password_is_a_clear_error() -> None:
    with pytest.raises(CloseConfigError, match="password"):
        settings_from_connection(None, "", {})


def test_repr_hides_the_secret() -> None:
    s = settings_from_connection(None, KEY, {})
    assert KEY not in repr(s)
    assert KEY not in str(s)
