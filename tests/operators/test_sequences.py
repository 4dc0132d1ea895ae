"""CloseSubscribeToSequenceOperator against the sandbox: subscribed, re-run sends nothing,
dry run, invalid and duplicate rows reported, Close's refusals and lost answers handled, the
file input and the result file; plus the sandbox's subscription rules over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.operators.sequences import CloseSubscribeToSequenceOperator
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.faults import Fault
from airflow_provider_close.sandbox.models.leads import create_lead
from airflow_provider_close.sandbox.sequences import create_sequence

PATH = "/sequence_subscription/"
SENDER = {
    "sender_account_id": "emailacct_" + "a" * 43,
    "sender_name": "Ops Bot",
    "sender_email": "ops@example.com",
}


@pytest.fixture
def org(sandbox: CloseSandbox, close_conn: Any) -> dict[str, Any]:
    """A sequence and three contacts (one email each)."""
    meta = RequestMeta("POST", "/api/v1/lead/")
    contacts = []
    for n in range(3):
        email = f"person{n}@example.com"
        lead = create_lead(
            sandbox.state, {"name": f"L{n}", "contacts": [{"emails": [{"email": email}]}]}, meta
        )
        contacts.append({"contact_id": lead["contacts"][0]["id"], "contact_email": email})
    sequence = create_sequence(sandbox.state, {"name": "Welcome"})
    return {"sequence_id": sequence["id"], "contacts": contacts}


def _op(
    tmp_path: Path, org: dict[str, Any], rows: Any, **kwargs: Any
) -> CloseSubscribeToSequenceOperator:
    return CloseSubscribeToSequenceOperator(
        task_id="subscribe",
        sequence_id=org["sequence_id"],
        rows=rows,
        result_path=str(tmp_path / "results.jsonl"),
        **SENDER,
        **kwargs,
    )


def _posts(sandbox: CloseSandbox) -> int:
    return sum(1 for r in sandbox.requests if r.method == "POST" and r.path == PATH)


def _lines(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]


def test_subscribes_each_contact_once_and_a_rerun_sends_nothing(
    sandbox: CloseSandbox, org: dict[str, Any], tmp_path: Path, context: dict[str, Any]
) -> None:
    summary = _op(tmp_path, org, org["contacts"]).execute(context)
    assert summary["counts"]["created"] == 3
    subs = list(sandbox.state.sequence_subscriptions.values())
    assert sorted(s["contact_id"] for s in subs) == sorted(c["contact_id"] for c in org["contacts"])
    assert all(s["sequence_id"] == org["sequence_id"] for s in subs)
    assert all(s["sender_name"] == "Ops Bot" for s in subs)
    assert [line["close_id"] for line in _lines(tmp_path)] == [
        next(s["id"] for s in subs if s["contact_id"] == c["contact_id"]) for c in org["contacts"]
    ]

    rerun = _op(tmp_path, org, org["contacts"]).execute(context)
    assert rerun["counts"]["unchanged"] == 3
    assert rerun["counts"]["created"] == 0
    assert _posts(sandbox) == 3
    assert len(sandbox.state.sequence_subscriptions) == 3


def test_dry_run_reports_what_would_be_subscribed_and_sends_nothing(
    sandbox: CloseSandbox, org: dict[str, Any], tmp_path: Path, context: dict[str, Any]
) -> None:
    _op(tmp_path, org, org["contacts"][:1]).execute(context)
    summary = _op(tmp_path, org, org["contacts"], dry_run=True).execute(context)
    assert summary["dry_run"] is True
    assert (summary["counts"]["unchanged"], summary["counts"]["would_create"]) == (1, 2)
    assert _posts(sandbox) == 1


def test_bad_and_repeated_rows_are_reported_never_sent(
    sandbox: CloseSandbox, org: dict[str, Any], tmp_path: Path, context: dict[str, Any]
) -> None:
    good = org["contacts"][0]
    rows = [
        good,
        {**good},  # the same contact again
        {**org["contacts"][1], "contact_email": "not-an-email"},
        {"contact_email": "x@example.com"},  # no contact_id
        "not a row",
    ]
    op = _op(tmp_path, org, rows, max_failed_rows=None)
    summary = op.execute(context)
    actions = [line["action"] for line in _lines(tmp_path)]
    assert actions == ["created", "duplicate_key", "invalid", "invalid", "invalid"]
    assert summary["total"] == 5
    errors = [line["error"] for line in _lines(tmp_path)]
    assert "rows[2].contact_email: got 'not-an-email'" in errors[2]
    assert "rows[3].contact_id: got None; allowed: 'cont_'" in errors[3]
    assert _posts(sandbox) == 1


def test_close_refusing_a_row_fails_that_row_and_the_threshold(
    sandbox: CloseSandbox, org: dict[str, Any], tmp_path: Path, context: dict[str, Any]
) -> None:
    other = org["contacts"][1]["contact_email"]
    rows = [org["contacts"][0], {**org["contacts"][2], "contact_email": other}]
    with pytest.raises(AirflowException, match="failure threshold crossed"):
        _op(tmp_path, org, rows).execute(context)
    lines = _lines(tmp_path)
    assert [line["action"] for line in lines] == ["created", "failed"]
    assert "does not belong to the contact" in lines[1]["error"]


def test_a_lost_answer_is_looked_up_not_sent_twice(
    sandbox: CloseSandbox, org: dict[str, Any], tmp_path: Path, context: dict[str, Any]
) -> None:
    sandbox.add_fault(Fault(kind="drop_after", method="POST", path=PATH, times=1))
    summary = _op(tmp_path, org, org["contacts"][:1], max_concurrency=1).execute(context)
    assert summary["counts"]["created"] == 1
    assert len(sandbox.state.sequence_subscriptions) == 1
    assert _posts(sandbox) == 1


def test_a_connection_dropped_before_apply_is_sent_again(
    sandbox: CloseSandbox, org: dict[str, Any], tmp_path: Path, context: dict[str, Any]
) -> None:
    sandbox.add_fault(Fault(kind="drop_before", method="POST", path=PATH, times=1))
    summary = _op(tmp_path, org, org["contacts"][:1], max_concurrency=1).execute(context)
    assert summary["counts"]["created"] == 1
    assert len(sandbox.state.sequence_subscriptions) == 1


def test_rows_from_a_file_and_row_values_override_the_defaults(
    sandbox: CloseSandbox, org: dict[str, Any], tmp_path: Path, context: dict[str, Any]
) -> None:
    other = create_sequence(sandbox.state, {"name": "Other"})["id"]
    source = tmp_path / "rows.jsonl"
    rows = [org["contacts"][0], {**org["contacts"][1], "sequence_id": other}]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    op = CloseSubscribeToSequenceOperator(
        task_id="subscribe",
        sequence_id=org["sequence_id"],
        file=str(source),
        result_path=str(tmp_path / "results.jsonl"),
        **SENDER,
    )
    assert op.execute(context)["counts"]["created"] == 2
    by_contact = {
        s["contact_id"]: s["sequence_id"] for s in sandbox.state.sequence_subscriptions.values()
    }
    assert by_contact == {
        org["contacts"][0]["contact_id"]: org["sequence_id"],
        org["contacts"][1]["contact_id"]: other,
    }


def test_sandbox_subscription_rules(sandbox: CloseSandbox, org: dict[str, Any]) -> None:
    contact = org["contacts"][0]
    body = {"sequence_id": org["sequence_id"], **contact, **SENDER}
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, "")) as api:
        first = api.post("sequence_subscription/", json=body)
        assert first.status_code == 201
        again = api.post("sequence_subscription/", json=body)
        assert again.status_code == 201  # Close does not refuse a second one (assumed)
        missing = api.post("sequence_subscription/", json={"contact_id": contact["contact_id"]})
        assert missing.status_code == 400
        assert set(missing.json()["field-errors"]) >= {
            "sequence_id",
            "contact_email",
            "sender_name",
        }
        unfiltered = api.get("sequence_subscription/")
        assert unfiltered.status_code == 400
        listed = api.get("sequence_subscription/", params={"contact_id": contact["contact_id"]})
        assert [s["id"] for s in listed.json()["data"]] == [first.json()["id"], again.json()["id"]]


def test_the_pool_is_sized_from_the_subscriptions_rate_limit_group(
    sandbox: CloseSandbox,
    org: dict[str, Any],
    tmp_path: Path,
    context: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from airflow_provider_close.automation import subscriptions
    from airflow_provider_close.client.resources import endpoint_group

    groups: list[str] = []
    real = subscriptions.run_pool

    async def recording(*args: Any, **kwargs: Any) -> Any:
        groups.append(endpoint_group(*kwargs["group"]))
        return await real(*args, **kwargs)

    monkeypatch.setattr(subscriptions, "run_pool", recording)
    _op(tmp_path, org, org["contacts"]).execute(context)
    sent = {endpoint_group("POST", r.path.removeprefix("/api/v1/")) for r in sandbox.requests}
    assert groups == [endpoint_group("POST", "sequence_subscription/")]
    assert groups[0] in sent  # the group of what the pool sent, not lead writes'
