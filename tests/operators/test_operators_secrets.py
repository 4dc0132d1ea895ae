"""The API key never reaches template fields, reprs, logs, XCom or error text, for every kind
of write operator: successful runs and a run with a wrong key."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.client import CloseAuthError
from airflow_provider_close.operators.activities import (
    CloseCreateCallOperator,
    CloseCreateSmsOperator,
)
from airflow_provider_close.operators.deletions import CloseDeleteCallOperator
from airflow_provider_close.operators.leads import CloseCreateLeadOperator
from airflow_provider_close.operators.notes import CloseCreateNoteOperator
from airflow_provider_close.operators.request import CloseRequestOperator
from airflow_provider_close.operators.tasks import CloseCreateTaskOperator
from airflow_provider_close.sandbox import CloseSandbox


def _operators(lead_id: str, phone: str) -> list[Any]:
    return [
        CloseCreateLeadOperator(
            task_id="lead", name="Secretless Co", custom_fields={"External ID": "S-1"}
        ),
        CloseCreateCallOperator(task_id="call", lead_id=lead_id, direction="outbound", duration=3),
        CloseCreateSmsOperator(
            task_id="sms",
            mode="send",
            lead_id=lead_id,
            local_phone=phone,
            remote_phone="+14155550123",
            text="hello",
        ),
        CloseCreateNoteOperator(task_id="note", lead_id=lead_id, note="n"),
        CloseCreateTaskOperator(task_id="task", lead_id=lead_id, text="t", date="2026-12-01"),
        CloseDeleteCallOperator(task_id="del", activity_id="acti_" + "x" * 43, missing_ok=True),
        CloseRequestOperator(task_id="req", method="GET", endpoint="me/"),
    ]


def _texts_about(op: Any) -> list[str]:
    return [repr(op), *(repr(getattr(op, name)) for name in op.template_fields)]


def test_the_key_never_leaks_from_write_operators(  # noqa: PLR0917
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    context: dict[str, Any],
    ti: Any,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    key = seeded_sandbox.api_key
    lead_id = next(iter(seeded_sandbox.state.leads))
    texts: list[str] = []
    with (
        caplog.at_level(logging.DEBUG),
        caplog.at_level(logging.DEBUG, logger="httpx"),
        caplog.at_level(logging.DEBUG, logger="httpcore"),
    ):
        for op in _operators(lead_id, seeded_sandbox.state.internal_phone):
            texts += [*_texts_about(op), repr(op.execute(context))]
        close_conn(password=key + "_revoked")
        failing = CloseCreateCallOperator(task_id="bad", lead_id=lead_id, direction="inbound")
        with pytest.raises(AirflowFailException) as unauthorized:
            failing.execute(context)
    assert isinstance(unauthorized.value.__cause__, CloseAuthError)
    cause = unauthorized.value.__cause__
    texts += [str(unauthorized.value), repr(unauthorized.value), str(cause), repr(cause)]
    texts += [repr(ti.pushed)]
    texts += [caplog.text, *(repr(record.args) for record in caplog.records)]
    out, err = capfd.readouterr()  # operators log through structlog to the console
    texts += [out, err]
    assert "airflow.task.operators" in out + err  # the operators' own log lines were captured
    assert any(record.name.startswith("httpx") for record in caplog.records)  # logs were seen
    encoded = base64.b64encode(f"{key}:".encode()).decode()
    for text in texts:
        assert key not in text
        assert encoded not in text
