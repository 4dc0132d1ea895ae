"""The API key (and its Basic/Bearer header forms) never leaks into logs, errors or reprs."""

from __future__ import annotations

import base64
import logging
import pickle
import socket
import traceback
from collections.abc import Callable

import pytest

from airflow_provider_close.client import (
    CloseAuthError,
    CloseClient,
    CloseError,
    CloseMaxSkipError,
    CloseNotFoundError,
    ClosePaginationLimitError,
    CloseRateLimitError,
    CloseServerError,
    CloseTransportError,
    CloseUnknownOutcomeError,
    CloseValidationError,
)
from airflow_provider_close.sandbox import CloseSandbox, Fault

WRONG_KEY = "sk_SENTINEL_wrong_key_5e1d0c"


def forms(secret: str) -> list[str]:
    """The secret and every encoding of it that could end up in a header dump."""
    return [
        secret,
        base64.b64encode(f"{secret}:".encode()).decode(),
        base64.b64encode(secret.encode()).decode().rstrip("="),
    ]


def assert_clean(texts: list[str], secrets: list[str]) -> None:
    for secret in secrets:
        for form in forms(secret):
            leaks = [text for text in texts if form in text]
            assert not leaks, f"secret form {form[:6]}... leaked"


def error_texts(error: BaseException) -> list[str]:
    clone = pickle.loads(pickle.dumps(error)) if isinstance(error, CloseError) else error
    return [
        str(error),
        repr(error),
        repr(error.args),
        repr(vars(error)),
        "".join(traceback.format_exception(error)),
        repr(clone),
    ]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def trigger_every_error(
    make_client: Callable[..., CloseClient], sandbox: CloseSandbox
) -> list[BaseException]:
    """Provoke one error of every kind; return them in order."""
    client = make_client()
    lead = client.post("lead", {"name": "Secret Test"})
    for n in range(4):
        client.post("lead", {"name": f"Filler {n}"})
    scenarios: list[tuple[type[BaseException], Callable[[], object]]] = [
        (CloseAuthError, lambda: make_client(api_key=WRONG_KEY).get("me")),
        (CloseNotFoundError, lambda: client.get("lead/lead_nope")),
        (CloseValidationError, lambda: client.post("contact", {"phones": [{"phone": "x"}]})),
        (CloseRateLimitError, lambda: client.get("me")),
        (CloseServerError, lambda: client.get("lead/" + lead["id"])),
        (CloseUnknownOutcomeError, lambda: client.post("lead", {"name": "5xx"})),
        (
            CloseUnknownOutcomeError,
            lambda: client.post("task", {"lead_id": lead["id"], "text": "t"}),
        ),
        (
            CloseTransportError,
            lambda: make_client(base_url=f"http://127.0.0.1:{closed_port()}/").get("me"),
        ),
        (ClosePaginationLimitError, lambda: list(client.iter_items("lead", max_items=2))),
        (CloseMaxSkipError, lambda: list(client.iter_items("lead", page_size=2))),
    ]
    faults = [
        None,
        None,
        None,
        Fault("rate_limit", method="GET", path="/me/", retry_after=1),
        Fault("server_error", method="GET", path="/lead/lead_*", status=503),
        Fault("server_error", method="POST", path="/lead/", status=500),
        Fault("drop_after", method="POST", path="/task/"),
        None,
        None,
        None,
    ]
    errors: list[BaseException] = []
    for (expected, call), fault in zip(scenarios, faults, strict=True):
        sandbox.clear_faults()
        if fault is not None:
            sandbox.add_fault(fault)
        if expected is CloseMaxSkipError:
            sandbox.set_limits(max_skip={"lead": 1})
        with pytest.raises(CloseError) as excinfo:
            call()
        assert isinstance(excinfo.value, expected), repr(excinfo.value)
        errors.append(excinfo.value)
    return errors


def test_the_key_never_leaks(
    make_client: Callable[..., CloseClient],
    sandbox: CloseSandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert "SENTINEL" in sandbox.api_key
    # Importing Airflow (other tests do) raises the httpx/httpcore loggers to WARNING: lower them
    # here, or their DEBUG lines (which carry request headers) would go unchecked.
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="httpx"),
        caplog.at_level(logging.DEBUG, logger="httpcore"),
    ):
        errors = trigger_every_error(make_client, sandbox)
        client = make_client()
    assert len(errors) == 10
    texts = [text for error in errors for text in error_texts(error)]
    texts += [caplog.text]
    texts += [record.getMessage() for record in caplog.records]
    texts += [repr(record.args) for record in caplog.records]
    texts += [repr(client), str(client), repr(vars(client))]
    assert any(record.name.startswith("httpx") for record in caplog.records)
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    assert any(r.name == "airflow_provider_close.client" for r in caplog.records)
    assert_clean(texts, [sandbox.api_key, WRONG_KEY])


def test_the_bearer_token_never_leaks(
    make_client: Callable[..., CloseClient],
    sandbox: CloseSandbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = sandbox.access_token
    sandbox.add_fault(Fault("server_error", method="POST", path="/lead/", status=502))
    # Importing Airflow (other tests do) raises the httpx/httpcore loggers to WARNING: lower them
    # here, or their DEBUG lines (which carry request headers) would go unchecked.
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="httpx"),
        caplog.at_level(logging.DEBUG, logger="httpcore"),
    ):
        client = make_client(api_key=None, access_token=token)
        assert client.get("me")["id"].startswith("user_")
        with pytest.raises(CloseUnknownOutcomeError) as excinfo:
            client.post("lead", {"name": "x"})
    texts = [*error_texts(excinfo.value), caplog.text, repr(client), repr(vars(client))]
    for text in texts:
        assert token not in text


@pytest.mark.parametrize("index", [0, 1, 2])
def test_the_leak_check_catches_every_form(index: int) -> None:
    leaked = f"Authorization: Basic {forms('sk_probe')[index]}"
    with pytest.raises(AssertionError, match="leaked"):
        assert_clean([leaked], ["sk_probe"])
