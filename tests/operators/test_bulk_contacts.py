"""CloseUpsertContactsOperator against the sandbox: created (under a found or a new lead),
updated, unchanged, invalid, duplicate keys, a dropped create response, and a re-run that
writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.operators.bulk_contacts import CloseUpsertContactsOperator
from airflow_provider_close.sandbox import CloseSandbox, Fault
from tests.conftest import SENTINEL_KEY
from tests.operators.bulk_sandbox import cf_key, result_lines, writes
from tests.operators.fakes import FakeTaskInstance

MAPPING = {"name": "person", "title": "title", "emails": ["email"], "custom": {"LinkedIn": "li"}}
LEAD_MAPPING = {"name": "company", "custom": {"External ID": "account_id"}}


def _contacts_with_email(sandbox: CloseSandbox, email: str) -> list[dict[str, Any]]:
    return [
        c
        for c in sandbox.state.contacts.values()
        if any(e["email"].lower() == email.lower() for e in c.get("emails") or [])
    ]


@pytest.fixture
def upsert(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> Callable[..., dict[str, Any]]:
    def run(**kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("mapping", MAPPING)
        kwargs.setdefault("match_key", "email")
        kwargs.setdefault("lead_mapping", LEAD_MAPPING)
        kwargs.setdefault("lead_match_key", "External ID")
        kwargs.setdefault("result_path", str(tmp_path / "results.jsonl"))
        kwargs.setdefault("max_failed_rows", None)
        op = CloseUpsertContactsOperator(task_id="contacts", **kwargs)
        return dict(op.execute({"ti": MagicMock(), "run_id": "test"}))  # type: ignore[arg-type]

    return run


def _existing(sandbox: CloseSandbox, ext: str) -> tuple[dict[str, Any], dict[str, Any]]:
    key = cf_key(sandbox, "lead", "External ID")
    (lead,) = [lead for lead in sandbox.state.leads.values() if lead.get(key) == ext]
    contact = next(c for c in sandbox.state.contacts.values() if c["lead_id"] == lead["id"])
    return lead, contact


def test_created_updated_unchanged_invalid_duplicate_then_a_rerun_writes_nothing(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    li = cf_key(seeded_sandbox, "contact", "LinkedIn")
    lead0, contact0 = _existing(seeded_sandbox, "EXT-1000")
    lead1, contact1 = _existing(seeded_sandbox, "EXT-1001")
    unchanged = {
        "person": contact0["name"],
        "title": contact0.get("title") or "",
        "email": contact0["emails"][0]["email"].upper(),  # emails match case-insensitively
        "li": "",
        "company": lead0["name"],
        "account_id": "EXT-1000",
    }
    updated = {
        "person": contact1["name"],
        "title": "Chief Rocket Officer",
        "email": contact1["emails"][0]["email"],
        "li": "https://linkedin.example/in/one",
        "company": lead1["name"],
        "account_id": "EXT-1001",
    }
    under_found = {**updated, "person": "Nia New", "email": "nia@new.example", "title": ""}
    under_new = {
        "person": "Ola Other",
        "title": "CTO",
        "email": "ola@fresh.example",
        "li": "",
        "company": "Fresh Leads Ltd",
        "account_id": "EXT-FRESH-1",
    }
    sibling = {**under_new, "person": "Pia Peer", "email": "pia@fresh.example"}
    invalid = {**under_new, "email": "not-an-email", "person": "Bad Row"}
    dup_a = {**under_new, "person": "Twin A", "email": "twin@fresh.example"}
    dup_b = {**dup_a, "person": "Twin B"}
    rows = [unchanged, updated, under_found, under_new, sibling, invalid, dup_a, dup_b]
    leads_before = len(seeded_sandbox.state.leads)

    summary = upsert(rows=rows)

    counts = {k: v for k, v in summary["counts"].items() if v}
    assert counts == {"unchanged": 1, "updated": 1, "created": 3, "invalid": 1, "duplicate_key": 2}
    results = result_lines(tmp_path / "results.jsonl")
    assert [r["action"] for r in results] == [
        "unchanged",
        "updated",
        "created",
        "created",
        "created",
        "invalid",
        "duplicate_key",
        "duplicate_key",
    ]
    assert "email" in str(results[5]["error"])
    # one new lead for the two contacts that share its key, never two
    assert len(seeded_sandbox.state.leads) == leads_before + 1
    fresh = [
        c
        for e in ("ola@fresh.example", "pia@fresh.example")
        for c in _contacts_with_email(seeded_sandbox, e)
    ]
    assert len(fresh) == 2
    assert fresh[0]["lead_id"] == fresh[1]["lead_id"]
    assert seeded_sandbox.state.leads[fresh[0]["lead_id"]]["name"] == "Fresh Leads Ltd"
    (nia,) = _contacts_with_email(seeded_sandbox, "nia@new.example")
    assert nia["lead_id"] == lead1["id"]
    one = seeded_sandbox.state.contacts[contact1["id"]]
    assert one["title"] == "Chief Rocket Officer"
    assert one[li] == "https://linkedin.example/in/one"
    assert not _contacts_with_email(seeded_sandbox, "twin@fresh.example")

    seeded_sandbox.clock.advance(seeded_sandbox.search_lag)  # a later run: search caught up
    writes_before = len(writes(seeded_sandbox))
    again = upsert(rows=rows[:5])
    assert again["counts"]["unchanged"] == 5
    assert len(writes(seeded_sandbox)) == writes_before


def test_a_dropped_create_response_is_found_in_the_lead_and_never_resent(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    lead, _ = _existing(seeded_sandbox, "EXT-1002")
    seeded_sandbox.add_fault(Fault("drop_after", method="POST", path="/contact/", times=1))
    row = {
        "person": "Lost Response",
        "title": "",
        "email": "lost@response.example",
        "li": "",
        "company": lead["name"],
        "account_id": "EXT-1002",
    }
    summary = upsert(rows=[row])
    assert summary["counts"]["created"] == 1
    assert len(_contacts_with_email(seeded_sandbox, "lost@response.example")) == 1
    posts = [
        r for r in seeded_sandbox.requests if r.method == "POST" and r.path.endswith("/contact/")
    ]
    assert len(posts) == 1  # applied once, confirmed in the lead's list, never re-sent
    assert any(r.fault == "drop_after" for r in seeded_sandbox.requests)


def test_match_on_a_contact_custom_field_adds_emails_and_keeps_those_close_holds(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    li = cf_key(seeded_sandbox, "contact", "LinkedIn")
    _, contact = _existing(seeded_sandbox, "EXT-1003")
    seeded_sandbox.state.contacts[contact["id"]][li] = "li-3"
    seeded_sandbox.clock.advance(seeded_sandbox.search_lag)
    row = {
        "person": "Renamed Person",
        "email": "second@address.example",
        "li": "li-3",
        "title": "",
        "company": "",
        "account_id": "EXT-1003",
    }
    summary = upsert(rows=[row], match_key="LinkedIn")
    assert summary["counts"]["updated"] == 1
    after = seeded_sandbox.state.contacts[contact["id"]]
    assert after["name"] == "Renamed Person"
    emails = [e["email"] for e in after["emails"]]
    assert emails == [contact["emails"][0]["email"], "second@address.example"]  # added, none lost
    with pytest.raises(AirflowException, match="threshold"):
        upsert(rows=[{**row, "li": ""}], match_key="LinkedIn", max_failed_rows=0)


def test_a_lost_lead_create_is_resolved_by_search_then_its_contacts_are_created(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], settle_clock: Any
) -> None:
    seeded_sandbox.add_fault(Fault("drop_after", method="POST", path="/lead/", times=1))
    rows = [
        {
            "person": f"P{i}",
            "title": "",
            "email": f"p{i}@lostlead.example",
            "li": "",
            "company": "Lost Lead Inc",
            "account_id": "EXT-LOSTLEAD",
        }
        for i in range(2)
    ]
    summary = upsert(rows=rows)
    assert summary["counts"]["created"] == 2
    key = cf_key(seeded_sandbox, "lead", "External ID")
    leads = [
        lead for lead in seeded_sandbox.state.leads.values() if lead.get(key) == "EXT-LOSTLEAD"
    ]
    assert len(leads) == 1  # the lost create was found by search after the settle window
    assert sum(settle_clock.slept) >= 59
    contacts = [
        c for i in range(2) for c in _contacts_with_email(seeded_sandbox, f"p{i}@lostlead.example")
    ]
    assert [c["lead_id"] for c in contacts] == [leads[0]["id"]] * 2


def test_a_retry_at_once_waits_until_search_shows_the_first_try_and_duplicates_nothing(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path, settle_clock: Any
) -> None:
    row = {
        "person": "Retry Person",
        "title": "",
        "email": "retry@contacts.example",
        "li": "",
        "company": "Retry Co",
        "account_id": "EXT-CRETRY",
    }

    def attempt(try_number: int) -> dict[str, Any]:
        op = CloseUpsertContactsOperator(
            task_id="contacts",
            mapping=MAPPING,
            match_key="email",
            lead_mapping=LEAD_MAPPING,
            lead_match_key="External ID",
            rows=[row],
            result_path=str(tmp_path / f"try{try_number}.jsonl"),
        )
        return dict(op.execute({"ti": FakeTaskInstance(try_number=try_number), "run_id": "t"}))

    assert attempt(1)["counts"]["created"] == 1
    assert attempt(2)["counts"]["unchanged"] == 1  # Airflow's retry, with retry_delay=0
    assert len(_contacts_with_email(seeded_sandbox, "retry@contacts.example")) == 1
    assert sum(settle_clock.slept) >= 59


def test_dry_run_writes_nothing_and_reports_what_it_would_do(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    lead, contact = _existing(seeded_sandbox, "EXT-1004")
    rows = [
        {
            "person": "Changed Name",
            "title": "",
            "email": contact["emails"][0]["email"],
            "li": "",
            "company": lead["name"],
            "account_id": "EXT-1004",
        },
        {
            "person": "Under A New Lead",
            "title": "",
            "email": "dry@new-lead.example",
            "li": "",
            "company": "Dry Run Co",
            "account_id": "EXT-DRY",
        },
    ]
    summary = upsert(rows=rows, dry_run=True)
    assert [r["action"] for r in result_lines(tmp_path / "results.jsonl")] == [
        "would_update",
        "would_create",
    ]
    assert summary["dry_run"] is True
    assert not writes(seeded_sandbox)


def test_the_api_key_never_reaches_the_results_the_summary_or_the_log(
    seeded_sandbox: CloseSandbox,
    upsert: Callable[..., dict[str, Any]],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    row = {"person": "K", "title": "", "email": "bad", "li": "", "company": "", "account_id": ""}
    with caplog.at_level("DEBUG"):
        summary = upsert(rows=[row, {**row, "email": "k@key.example", "account_id": "EXT-1005"}])
    assert SENTINEL_KEY not in json.dumps(summary)
    assert SENTINEL_KEY not in (tmp_path / "results.jsonl").read_text()
    assert SENTINEL_KEY not in caplog.text


def test_a_new_lead_close_would_refuse_makes_its_contacts_invalid_never_sent(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    lead_mapping = {**LEAD_MAPPING, "custom": {**LEAD_MAPPING["custom"], "Lead Score": "score"}}
    row = {
        "person": "Scored",
        "title": "",
        "email": "scored@badlead.example",
        "li": "",
        "company": "Bad Lead Co",
        "account_id": "EXT-BADLEAD",
        "score": "not a number",
    }
    upsert(rows=[row], lead_mapping=lead_mapping)
    (result,) = result_lines(tmp_path / "results.jsonl")
    assert result["action"] == "invalid"
    assert "Lead Score" in str(result["error"])
    assert not _contacts_with_email(seeded_sandbox, "scored@badlead.example")
    assert not [w for w in writes(seeded_sandbox) if w.path.endswith(("/lead/", "/contact/"))]


def test_a_fifth_of_creates_lost_after_commit_duplicates_nothing(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    seeded_sandbox.set_rate_limit("default", 100_000, 1.0)
    lost = Fault("drop_after", method="POST", path="/contact/", probability=0.2, seed=6)
    seeded_sandbox.add_fault(lost)
    rows = [
        {
            "person": f"Many {i}",
            "title": "",
            "email": f"many{i}@lost.example",
            "li": "",
            "company": "",
            "account_id": f"EXT-{1000 + i % 20}",
        }
        for i in range(100)
    ]
    summary = upsert(rows=rows, max_concurrency=8)
    assert sum(1 for r in seeded_sandbox.requests if r.fault == "drop_after") >= 10
    assert summary["counts"]["created"] == 100
    counts = [
        len(_contacts_with_email(seeded_sandbox, f"many{i}@lost.example")) for i in range(100)
    ]
    assert counts == [1] * 100
