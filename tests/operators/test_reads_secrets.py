"""The API key never shows up in what the read and email operators log, return or write."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.operators.emails import CloseCreateEmailOperator
from airflow_provider_close.operators.reads import (
    CloseGetContactOperator,
    CloseListContactsOperator,
    CloseSearchLeadsOperator,
)
from airflow_provider_close.sandbox import CloseSandbox
from tests.operators.fakes import FakeTaskInstance as FakeTI


def test_key_absent_from_logs_xcom_files_and_reprs(
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    lead = CloseHook().create_lead({"name": "Acme", "contacts": [{"name": "Ann"}]})
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes
    target = tmp_path / "contacts.jsonl"
    ops = [
        CloseGetContactOperator(task_id="g", object_id=lead["contacts"][0]["id"]),
        CloseListContactsOperator(task_id="l", lead_id=lead["id"]),
        CloseListContactsOperator(task_id="f", lead_id=lead["id"], output_path=str(target)),
        CloseSearchLeadsOperator(task_id="s", query={"type": "match_all"}),
        CloseCreateEmailOperator(
            task_id="e", mode="log", lead_id=lead["id"], status="sent", subject="Hi"
        ),
    ]
    ti = FakeTI(try_number=2)
    results = [op.execute({"ti": ti}) for op in ops]  # type: ignore[arg-type]
    key = sandbox.api_key
    out, err = capfd.readouterr()
    assert "Found 1 leads" in out + err + caplog.text  # the operators' logs were captured
    assert key not in out + err + caplog.text
    assert key not in json.dumps([results, ti.pushed], default=str)
    assert key not in target.read_text(encoding="utf-8")
    for op in ops:
        assert key not in repr(op)
        assert all(key not in str(getattr(op, name)) for name in op.template_fields)
        assert key not in repr(op.hook)
        assert key not in repr(op.hook.client)
