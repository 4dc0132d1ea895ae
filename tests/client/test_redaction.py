"""Servers that echo the request headers into their errors never get the key into ours.

The echo server (``tests/header_echo.py``) quotes ``Authorization`` in text and JSON bodies
and in a response header; the key and token must appear in no form anywhere reachable from
the raised error (attributes, args, cause and context walked recursively), its message, the
logs, or the hook's connection-test text.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import socket
from collections.abc import Iterator

import pytest

from airflow_provider_close.client import (
    AsyncCloseClient,
    CloseAPIError,
    CloseClient,
    CloseError,
    CloseTransportError,
    CloseUnknownOutcomeError,
    RetryPolicy,
)
from airflow_provider_close.client.redaction import REDACTED, Redactor, basic_forms
from tests.header_echo import header_echo_server
from tests.secret_walk import assert_no_secret, reachable_texts

KEY = "sk_SENTINEL_echoed_key_4c1e"
TOKEN = "oauth_SENTINEL_echoed_token_77d0"
ONE_TRY = RetryPolicy(max_attempts=1)


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    with header_echo_server() as url:
        yield url


def _credentials(kind: str) -> tuple[dict[str, str], str]:
    return ({"api_key": KEY}, KEY) if kind == "key" else ({"access_token": TOKEN}, TOKEN)


CASES = [
    ("GET", "400/", CloseAPIError),
    ("POST", "400/", CloseAPIError),
    ("GET", "502/", CloseAPIError),
    ("POST", "502/", CloseUnknownOutcomeError),
    ("GET", "json400/", CloseAPIError),
    ("GET", "cut400/", CloseAPIError),
]


@pytest.mark.parametrize("kind", ["key", "token"])
@pytest.mark.parametrize(("method", "path", "expected"), CASES)
def test_echoed_credentials_reach_no_error_text_or_attribute(  # noqa: PLR0917
    echo_url: str,
    kind: str,
    method: str,
    path: str,
    expected: type[CloseError],
    caplog: pytest.LogCaptureFixture,
) -> None:
    auth, secret = _credentials(kind)
    with (
        caplog.at_level(logging.DEBUG),
        CloseClient(base_url=echo_url, retry=ONE_TRY, **auth) as client,  # type: ignore[arg-type]
        pytest.raises(expected) as raised,
    ):
        client.request(method, path, json={"name": "x"} if method == "POST" else None)
    error = raised.value
    # httpcore's DEBUG wire trace prints response headers verbatim (not our text; in a task the
    # hook registers the encoded forms with Airflow's masker, see tests/operators)
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("httpcore")]
    texts = [str(error), repr(error), *reachable_texts(error), *ours]
    assert REDACTED in " ".join(texts)  # the echo was there, and was redacted
    assert_no_secret(texts, secret)


def test_the_async_client_redacts_too(echo_url: str) -> None:
    async def fail() -> CloseError:
        async with AsyncCloseClient(api_key=KEY, base_url=echo_url, retry=ONE_TRY) as client:
            try:
                await client.get("400/")
            except CloseError as error:
                return error
        raise AssertionError("no error")

    error = asyncio.run(fail())
    assert_no_secret([str(error), *reachable_texts(error)], KEY)


def test_an_echoing_response_header_is_redacted(echo_url: str) -> None:
    with (
        CloseClient(api_key=KEY, base_url=echo_url, retry=ONE_TRY) as client,
        pytest.raises(CloseAPIError) as raised,
    ):
        client.get("400/")
    assert raised.value.headers["x-echo-authorization"] == REDACTED


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("kind", ["key", "token"])
def test_a_transport_error_keeps_no_live_authorization_header(kind: str) -> None:
    auth, secret = _credentials(kind)
    url = f"http://127.0.0.1:{_closed_port()}/api/v1/"
    with (
        CloseClient(base_url=url, retry=ONE_TRY, **auth) as client,  # type: ignore[arg-type]
        pytest.raises(CloseTransportError) as raised,
    ):
        client.get("me/")
    cause = raised.value.__cause__
    assert cause is not None
    assert cause.request.headers["Authorization"] == REDACTED  # type: ignore[attr-defined]
    assert_no_secret(reachable_texts(raised.value), secret)


def test_a_retried_request_still_authenticates_after_a_scrub(echo_url: str) -> None:
    """The scrub edits the request that is re-sent; the auth flow sets the header again."""
    seen: list[str] = []
    with CloseClient(api_key=KEY, base_url=echo_url, retry=ONE_TRY) as client:
        client._http.event_hooks["request"].append(
            lambda request: seen.append(request.headers["Authorization"])
        )
        for _ in range(2):
            with pytest.raises(CloseAPIError):
                client.get("400/")
    assert seen == [basic_forms(KEY)[0]] * 2


def test_the_redactor_replaces_the_longest_form_first() -> None:
    redactor = Redactor(basic_forms("abcd1234"))
    header = basic_forms("abcd1234")[0]
    assert redactor.text(f"Authorization: {header}") == f"Authorization: {REDACTED}"
    assert redactor.json({"h": [header], header: 1}) == {"h": [REDACTED], REDACTED: 1}
    assert "abcd" not in repr(redactor)
    with pytest.raises(TypeError):
        pickle.dumps(redactor)
