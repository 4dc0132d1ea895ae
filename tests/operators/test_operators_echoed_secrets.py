"""A server that echoes request headers into its 400/502 pages: the key reaches neither the
task log, nor the raised error, nor the hook's connection-test text."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from airflow.sdk.log import redact

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.client import CloseAPIError, CloseError
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.operators.activities import CloseCreateCallOperator
from airflow_provider_close.operators.request import CloseRequestOperator
from tests.header_echo import header_echo_server
from tests.secret_walk import assert_no_secret, reachable_texts

KEY = "sk_SENTINEL_echo_task_key_31ab"
LEAD = "lead_" + "L" * 43


@pytest.fixture
def echo_conn(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A connection ``close_echo`` to the header-echo server (no retries: no waits)."""
    with header_echo_server() as url:
        conn = {"conn_type": "close", "host": url, "password": KEY, "extra": {"max_retries": 0}}
        monkeypatch.setenv("AIRFLOW_CONN_CLOSE_ECHO", json.dumps(conn))
        yield "close_echo"


def test_the_connection_test_text_hides_the_echoed_key(echo_conn: str) -> None:
    ok, message = CloseHook(close_conn_id=echo_conn).test_connection()
    assert not ok
    assert "[redacted]" in message  # the echo was quoted, redacted
    assert_no_secret([message], KEY)


def test_a_task_failing_on_an_echoing_server_logs_no_form_of_the_key(
    echo_conn: str,
    context: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    operators = [
        CloseRequestOperator(task_id="req", method="GET", endpoint="400/", close_conn_id=echo_conn),
        CloseCreateCallOperator(
            task_id="call", lead_id=LEAD, direction="outbound", close_conn_id=echo_conn
        ),
    ]
    errors: list[BaseException] = []
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="httpx"),
        caplog.at_level(logging.DEBUG, logger="httpcore"),
    ):
        for op in operators:
            with pytest.raises((CloseError, AirflowFailException)) as raised:
                op.execute(context)
            op.log.exception("task failed")  # as the task runner logs a failure
            errors += [raised.value, *([raised.value.__cause__] if raised.value.__cause__ else [])]
    out, err = capfd.readouterr()
    assert any(isinstance(error, CloseAPIError) for error in errors)
    assert all("[redacted]" in str(e) for e in errors if isinstance(e, CloseAPIError))
    assert "task failed" in out + err + caplog.text  # the failure's log lines were captured
    # The task log file is the records after Airflow's masker; caplog holds them before it,
    # including httpcore's DEBUG wire trace of the echoed response header.
    assert "X-Echo-Authorization" in caplog.text
    texts = [out, err, str(redact(caplog.text))]
    for error in errors:
        texts += [str(error), *reachable_texts(error)]
    assert_no_secret(texts, KEY)
