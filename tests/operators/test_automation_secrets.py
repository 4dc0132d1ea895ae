"""The API key never reaches the bulk edit and sequence operators' template fields, reprs,
logs, results, trigger kwargs or error text."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.operators.bulk_edit import CloseBulkEditOperator
from airflow_provider_close.operators.sequences import CloseSubscribeToSequenceOperator
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.bulk_actions import create_bulk_edit
from airflow_provider_close.sandbox.sequences import create_sequence
from airflow_provider_close.triggers.bulk_action import CloseBulkEditTrigger
from tests.settle_clock import SandboxSettleClock


def test_the_key_never_leaks(  # noqa: PLR0917
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    context: dict[str, Any],
    settle_clock: SandboxSettleClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(CloseBulkEditOperator, "wait_clock", settle_clock)
    key = seeded_sandbox.api_key
    state = seeded_sandbox.state
    status = next(iter(state.lead_statuses))
    contact = next(iter(state.contacts.values()))
    sequence = create_sequence(state, {"name": "S"})["id"]
    edit = CloseBulkEditOperator(
        task_id="edit",
        query={"type": "match_all"},
        edit_type="set_lead_status",
        lead_status_id=status,
        deferrable=False,
    )
    subscribe = CloseSubscribeToSequenceOperator(
        task_id="sub",
        sequence_id=sequence,
        rows=[{"contact_id": contact["id"], "contact_email": contact["emails"][0]["email"]}],
        sender_account_id="emailacct_" + "a" * 43,
        sender_name="N",
        sender_email="n@example.com",
        result_path=str(tmp_path / "r.jsonl"),
    )
    action = create_bulk_edit(
        state,
        {"type": "set_lead_status", "lead_status_id": status, "s_query": {"type": "match_all"}},
        "req_x",
    )
    trigger = CloseBulkEditTrigger(close_conn_id="close_default", bulk_action_id=action["id"])
    texts: list[str] = [repr(trigger.serialize())]
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="httpx"):
        for op in (edit, subscribe):
            texts += [repr(op), *(repr(getattr(op, name)) for name in op.template_fields)]
            texts.append(repr(op.execute(context)))
        close_conn(password=key + "_revoked")
        with pytest.raises(AirflowFailException) as refused:
            CloseBulkEditOperator(
                task_id="bad",
                query={"type": "match_all"},
                edit_type="clear_custom_field",
                custom_field_id="cf_" + "a" * 43,
                deferrable=False,
            ).execute(context)
    texts += [str(refused.value), repr(refused.value.__cause__), caplog.text]
    texts.append((tmp_path / "r.jsonl").read_text())
    assert any(record.name.startswith("httpx") for record in caplog.records)
    encoded = base64.b64encode(f"{key}:".encode()).decode()
    for text in texts:
        assert key not in text
        assert encoded not in text
