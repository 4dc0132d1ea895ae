"""Client configuration: credentials, base URL, timeout, User-Agent, request encoding."""

from __future__ import annotations

import json
import platform
from datetime import date

import httpx
import pytest

from airflow_provider_close import __version__
from airflow_provider_close.client import CloseClient, CloseConfigError
from airflow_provider_close.client.config import ClientCore, user_agent

SECRET = "sk_config_secret_31"


def recording_client(**kwargs: object) -> tuple[CloseClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    options = {"api_key": SECRET, **kwargs}
    return CloseClient(transport=httpx.MockTransport(handler), **options), seen  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"api_key": SECRET, "access_token": SECRET},
        {"api_key": SECRET, "timeout": None},
        {"api_key": SECRET, "timeout": 0},
        {"api_key": SECRET, "timeout": -1},
        {"api_key": SECRET, "timeout": float("inf")},
        {"api_key": SECRET, "timeout": True},
        {"api_key": SECRET, "base_url": "api.close.com/api/v1/"},
        {"api_key": SECRET, "base_url": "ftp://api.close.com/"},
        {"api_key": SECRET, "base_url": "https://user:pw@api.close.com/api/v1/"},
        {"api_key": SECRET, "base_url": "https:///api/v1/"},
        # the key pasted into the URL itself: user info, a query, or a host-less string
        {"api_key": SECRET, "base_url": f"https://{SECRET}:@api.close.com/api/v1/"},
        {"api_key": SECRET, "base_url": f"https://api.close.com/api/v1/?api_key={SECRET}"},
        {"api_key": SECRET, "base_url": f"{SECRET}/api/v1/"},
        {"api_key": SECRET, "base_url": f"https://api.close.com:{SECRET}/"},
    ],
)
def test_bad_configuration_raises_config_error_without_the_secret(
    kwargs: dict[str, object],
) -> None:
    with pytest.raises(CloseConfigError) as excinfo:
        CloseClient(**kwargs)  # type: ignore[arg-type]
    assert SECRET not in str(excinfo.value)
    assert SECRET not in repr(excinfo.value)


@pytest.mark.parametrize(
    ("base_url", "path", "url"),
    [
        ("https://api.close.com/api/v1/", "lead", "https://api.close.com/api/v1/lead/"),
        (
            "https://api.close.com/api/v1",
            "/lead/lead_1",
            "https://api.close.com/api/v1/lead/lead_1/",
        ),
        ("http://127.0.0.1:9/api/v1/", "me/", "http://127.0.0.1:9/api/v1/me/"),
    ],
)
def test_paths_are_relative_and_end_with_a_slash(base_url: str, path: str, url: str) -> None:
    client, seen = recording_client(base_url=base_url)
    assert client.get(path) == {"ok": True}
    assert str(seen[0].url) == url


def test_default_base_url_timeout_and_headers() -> None:
    client, seen = recording_client()
    client.get("me")
    request = seen[0]
    assert str(request.url) == "https://api.close.com/api/v1/me/"
    assert request.headers["User-Agent"] == user_agent()
    assert request.headers["Accept"] == "application/json"
    assert request.extensions["timeout"] == {
        "connect": 30.0,
        "read": 30.0,
        "write": 30.0,
        "pool": 30.0,
    }
    assert user_agent() == (
        f"airflow-provider-close/{__version__} httpx/{httpx.__version__} "
        f"python/{platform.python_version()}"
    )


def test_fields_dates_and_json_body_are_encoded() -> None:
    client, seen = recording_client()
    client.get("lead", {"date_created__gt": date(2024, 1, 1), "x": None}, fields=["id", "name"])
    client.post("lead", {"date": date(2024, 1, 2)}, params={"a": True})
    get, post = seen
    assert dict(get.url.params) == {"date_created__gt": "2024-01-01", "_fields": "id,name"}
    assert json.loads(post.content) == {"date": "2024-01-02"}
    assert post.headers["Content-Type"] == "application/json"
    assert dict(post.url.params) == {"a": "true"}


def test_absolute_urls_are_refused_so_the_key_never_leaves_the_base_url() -> None:
    client, seen = recording_client()
    with pytest.raises(CloseConfigError):
        client.get("https://evil.example/lead/")
    assert seen == []


def test_client_repr_hides_the_secret() -> None:
    client, _ = recording_client()
    for text in (repr(client), str(client), repr(vars(client))):
        assert SECRET not in text
    assert "api.close.com" in repr(client)


def test_bearer_client_sends_the_token() -> None:
    client, seen = recording_client(api_key=None, access_token="tok_1")
    client.delete("lead/lead_1")
    assert seen[0].headers["Authorization"] == "Bearer tok_1"
    assert seen[0].method == "DELETE"


def test_spec_marks_idempotent_methods_safe_unless_overridden() -> None:
    spec = ClientCore._spec
    assert spec("get", "lead", None, json=None, fields=None, retry_safe=None).retry_safe
    assert not spec("POST", "lead", None, json={}, fields=None, retry_safe=None).retry_safe
    assert spec("POST", "data/search", None, json={}, fields=None, retry_safe=True).retry_safe
