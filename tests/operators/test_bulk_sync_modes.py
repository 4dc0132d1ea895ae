"""Sync modes (upsert, update_only, create_only) and fill_only_when_empty, for the lead,
contact and opportunity upserts, against the sandbox; bad values fail before any request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest

from airflow_provider_close.bulk.mapping import MappingError
from airflow_provider_close.operators.bulk import CloseUpsertLeadsOperator
from airflow_provider_close.operators.bulk_contacts import CloseUpsertContactsOperator
from airflow_provider_close.operators.bulk_opportunities import CloseUpsertOpportunitiesOperator
from airflow_provider_close.sandbox import CloseSandbox
from tests.operators.bulk_sandbox import cf_key, result_lines

LEADS = {
    "name": "company",
    "description": "about",
    "custom": {"External ID": "ext", "Industry": "industry"},
}


def _lead(sandbox: CloseSandbox, ext: str) -> dict[str, Any]:
    key = cf_key(sandbox, "lead", "External ID")
    (lead,) = [lead for lead in sandbox.state.leads.values() if lead.get(key) == ext]
    return lead


@pytest.fixture
def run(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> Callable[..., list[dict[str, Any]]]:
    def go(operator: type[Any], **kwargs: Any) -> list[dict[str, Any]]:
        path = tmp_path / "results.jsonl"
        op = operator(task_id="t", result_path=str(path), max_failed_rows=None, **kwargs)
        op.execute({"ti": MagicMock(), "run_id": "test"})
        return result_lines(path)

    return go


def _lead_rows(sandbox: CloseSandbox) -> list[dict[str, Any]]:
    existing = _lead(sandbox, "EXT-1000")
    return [
        {
            "company": "Renamed",
            "about": "ours",
            "ext": "EXT-1000",
            "industry": existing_industry(sandbox, existing),
        },
        {"company": "Brand New", "about": "new", "ext": "EXT-MODE-1", "industry": ""},
    ]


def existing_industry(sandbox: CloseSandbox, lead: dict[str, Any]) -> str:
    return str(lead.get(cf_key(sandbox, "lead", "Industry")) or "")


def test_lead_update_only_never_creates_and_says_why(
    seeded_sandbox: CloseSandbox, run: Callable[..., list[dict[str, Any]]]
) -> None:
    results = run(
        CloseUpsertLeadsOperator,
        rows=_lead_rows(seeded_sandbox),
        mapping=LEADS,
        match_key="External ID",
        mode="update_only",
    )
    assert [r["action"] for r in results] == ["updated", "skipped"]
    assert "update_only" in str(results[1]["error"])
    assert _lead(seeded_sandbox, "EXT-1000")["name"] == "Renamed"
    key = cf_key(seeded_sandbox, "lead", "External ID")
    assert not [
        lead for lead in seeded_sandbox.state.leads.values() if lead.get(key) == "EXT-MODE-1"
    ]


def test_lead_create_only_never_updates(
    seeded_sandbox: CloseSandbox, run: Callable[..., list[dict[str, Any]]]
) -> None:
    before = _lead(seeded_sandbox, "EXT-1000")["name"]
    results = run(
        CloseUpsertLeadsOperator,
        rows=_lead_rows(seeded_sandbox),
        mapping=LEADS,
        match_key="External ID",
        mode="create_only",
    )
    assert [r["action"] for r in results] == ["skipped", "created"]
    assert results[0]["close_id"] == _lead(seeded_sandbox, "EXT-1000")["id"]
    assert _lead(seeded_sandbox, "EXT-1000")["name"] == before
    assert _lead(seeded_sandbox, "EXT-MODE-1")["name"] == "Brand New"


def test_lead_fill_only_when_empty_keeps_what_close_holds_and_fills_blanks(
    seeded_sandbox: CloseSandbox, run: Callable[..., list[dict[str, Any]]]
) -> None:
    lead = _lead(seeded_sandbox, "EXT-1000")
    industry = cf_key(seeded_sandbox, "lead", "Industry")
    seeded_sandbox.state.leads[lead["id"]]["description"] = "typed by a rep"
    seeded_sandbox.state.leads[lead["id"]].pop(industry, None)
    choice = seeded_sandbox.state.custom_fields["lead"][industry.removeprefix("custom.")][
        "choices"
    ][0]
    rows = [{"company": "Renamed", "about": "ours", "ext": "EXT-1000", "industry": choice}]
    results = run(
        CloseUpsertLeadsOperator,
        rows=rows,
        mapping=LEADS,
        match_key="External ID",
        fill_only_when_empty=["description", "custom.Industry"],
    )
    assert [r["action"] for r in results] == ["updated"]
    after = seeded_sandbox.state.leads[lead["id"]]
    assert after["description"] == "typed by a rep"  # kept
    assert after[industry] == choice  # was empty: filled
    assert after["name"] == "Renamed"  # not fill-only: overwritten


def test_bad_mode_and_fill_only_fail_before_any_request(
    seeded_sandbox: CloseSandbox, run: Callable[..., list[dict[str, Any]]]
) -> None:
    with pytest.raises(
        MappingError, match="mode must be one of 'upsert', 'update_only', 'create_only'"
    ):
        run(CloseUpsertLeadsOperator, rows=[], mapping=LEADS, match_key="External ID", mode="merge")
    seeded_sandbox.requests.clear()
    with pytest.raises(
        MappingError,
        match=r"fill_only_when_empty: 'url' is not a mapped field; allowed: .*'custom.Industry'",
    ):
        run(
            CloseUpsertLeadsOperator,
            rows=[],
            mapping=LEADS,
            match_key="External ID",
            fill_only_when_empty=["url"],
        )
    with pytest.raises(MappingError, match="fill_only_when_empty"):
        run(
            CloseUpsertLeadsOperator,
            rows=[],
            mapping=LEADS,
            match_key="External ID",
            fill_only_when_empty=["custom.Nope"],
        )
    assert not seeded_sandbox.requests


CONTACTS = {"name": "person", "title": "title", "emails": ["email"]}
CONTACT_LEADS = {"name": "company", "custom": {"External ID": "ext"}}


def _contact_rows(sandbox: CloseSandbox) -> list[dict[str, Any]]:
    lead = _lead(sandbox, "EXT-1001")
    contact = next(c for c in sandbox.state.contacts.values() if c["lead_id"] == lead["id"])
    return [
        {
            "person": "Renamed Person",
            "title": "VP",
            "email": contact["emails"][0]["email"],
            "company": lead["name"],
            "ext": "EXT-1001",
        },
        {
            "person": "New Person",
            "title": "VP",
            "email": "new@mode.example",
            "company": lead["name"],
            "ext": "EXT-1001",
        },
    ]


@pytest.mark.parametrize(
    ("mode", "actions"),
    [
        ("upsert", ["updated", "created"]),
        ("update_only", ["updated", "skipped"]),
        ("create_only", ["skipped", "created"]),
    ],
)
def test_contact_modes(
    seeded_sandbox: CloseSandbox,
    run: Callable[..., list[dict[str, Any]]],
    mode: str,
    actions: list[str],
) -> None:
    rows = _contact_rows(seeded_sandbox)
    results = run(
        CloseUpsertContactsOperator,
        rows=rows,
        mapping=CONTACTS,
        match_key="email",
        lead_mapping=CONTACT_LEADS,
        lead_match_key="External ID",
        mode=mode,
    )
    assert [r["action"] for r in results] == actions
    created = [c for c in seeded_sandbox.state.contacts.values() if c["name"] == "New Person"]
    assert len(created) == (0 if mode == "update_only" else 1)
    renamed = [c for c in seeded_sandbox.state.contacts.values() if c["name"] == "Renamed Person"]
    assert len(renamed) == (0 if mode == "create_only" else 1)


def test_contact_fill_only_when_empty(
    seeded_sandbox: CloseSandbox, run: Callable[..., list[dict[str, Any]]]
) -> None:
    rows = _contact_rows(seeded_sandbox)[:1]
    contact_id = next(
        c["id"]
        for c in seeded_sandbox.state.contacts.values()
        if any(e["email"] == rows[0]["email"] for e in c["emails"])
    )
    seeded_sandbox.state.contacts[contact_id]["title"] = "Typed Title"
    run(
        CloseUpsertContactsOperator,
        rows=rows,
        mapping=CONTACTS,
        match_key="email",
        lead_mapping=CONTACT_LEADS,
        lead_match_key="External ID",
        fill_only_when_empty=["title"],
    )
    contact = seeded_sandbox.state.contacts[contact_id]
    assert contact["title"] == "Typed Title"
    assert contact["name"] == "Renamed Person"


OPPS = {"status": "stage", "note": "summary", "confidence": "pct", "custom": {"Source": "deal"}}


@pytest.mark.parametrize(
    ("mode", "actions"),
    [("update_only", ["updated", "skipped"]), ("create_only", ["skipped", "created"])],
)
def test_opportunity_modes_and_fill_only(
    seeded_sandbox: CloseSandbox,
    run: Callable[..., list[dict[str, Any]]],
    mode: str,
    actions: list[str],
) -> None:
    common = {
        "mapping": OPPS,
        "match_key": "Source",
        "lead_match_key": "External ID",
        "lead_key_column": "ext",
    }
    first = [
        {"deal": "M-1", "ext": "EXT-1002", "stage": "Active", "summary": "rep note", "pct": 10}
    ]
    assert [r["action"] for r in run(CloseUpsertOpportunitiesOperator, rows=first, **common)] == [
        "created"
    ]
    rows = [
        {
            "deal": "M-1",
            "ext": "EXT-1002",
            "stage": "Active",
            "summary": "warehouse note",
            "pct": 90,
        },
        {"deal": "M-2", "ext": "EXT-1002", "stage": "Active", "summary": "x", "pct": 5},
    ]
    results = run(
        CloseUpsertOpportunitiesOperator,
        rows=rows,
        mode=mode,
        fill_only_when_empty=["note"],
        **common,
    )
    assert [r["action"] for r in results] == actions
    key = cf_key(seeded_sandbox, "opportunity", "Source")
    (m1,) = [o for o in seeded_sandbox.state.opportunities.values() if o.get(key) == "M-1"]
    assert m1["note"] == "rep note"  # never overwritten (fill only when empty)
    assert m1["confidence"] == (90 if mode == "update_only" else 10)
    m2 = [o for o in seeded_sandbox.state.opportunities.values() if o.get(key) == "M-2"]
    assert len(m2) == (1 if mode == "create_only" else 0)
