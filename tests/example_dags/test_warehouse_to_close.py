"""example_close_warehouse_to_close end to end: SQLite warehouse -> Close leads and tasks."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.sandbox import CloseSandbox

DAG_ID = "example_close_warehouse_to_close"
FOLLOW_UP = "Call {company}: lead score {score}"


def field_keys(sandbox: CloseSandbox) -> dict[str, str]:
    """Lead custom field display name -> ``custom.cf_...`` key."""
    fields = sandbox.state.custom_fields["lead"].values()
    return {field["name"]: f"custom.{field['id']}" for field in fields}


def lead_by_external_id(sandbox: CloseSandbox, external_id: str) -> dict[str, Any]:
    key = field_keys(sandbox)["External ID"]
    found = [lead for lead in sandbox.state.leads.values() if lead.get(key) == external_id]
    assert len(found) == 1, found
    return found[0]


def row_for(sandbox: CloseSandbox, lead: dict[str, Any], score: Any) -> tuple[Any, ...]:
    """A warehouse row that matches ``lead`` exactly, except for the score."""
    keys = field_keys(sandbox)
    contact = next(c for c in sandbox.state.contacts.values() if c["lead_id"] == lead["id"])
    email = contact["emails"][0]["email"]
    return (lead[keys["External ID"]], lead["name"], lead["url"], contact["name"], email, score)


def fill(path: Path, rows: list[tuple[Any, ...]]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE lead_scores (external_id TEXT, company TEXT, website TEXT,"
            " contact_name TEXT, contact_email TEXT, score INTEGER)"
        )
        db.executemany("INSERT INTO lead_scores VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.close()


@pytest.mark.integration
def test_scores_upserted_and_high_scores_followed_up_once(seeded_sandbox, warehouse, run_example):
    sandbox = seeded_sandbox
    keys = field_keys(sandbox)
    rising, steady = sorted(
        (lead for lead in sandbox.state.leads.values()), key=lambda lead: lead[keys["External ID"]]
    )[:2]
    steady_score = steady[keys["Lead Score"]]
    steady_updated = steady["date_updated"]
    fill(
        warehouse,
        [
            row_for(sandbox, rising, 97),
            row_for(sandbox, steady, steady_score),
            ("WH-1", "Bluth Company", "https://bluth.example", "Michael", "m@bluth.example", 91),
            ("WH-2", "Dunder Mifflin", "https://dunder.example", "Pam", "pam@dunder.example", 12),
        ],
    )
    leads_before, tasks_before = len(sandbox.state.leads), set(sandbox.state.tasks)

    run = run_example(DAG_ID)

    assert run.state == "success"
    assert len(sandbox.state.leads) == leads_before + 2
    bluth = lead_by_external_id(sandbox, "WH-1")
    assert (bluth["name"], bluth["url"], bluth[keys["Lead Score"]]) == (
        "Bluth Company",
        "https://bluth.example",
        91,
    )
    bluth_contacts = [c for c in sandbox.state.contacts.values() if c["lead_id"] == bluth["id"]]
    assert [c["emails"][0]["email"] for c in bluth_contacts] == ["m@bluth.example"]
    assert lead_by_external_id(sandbox, "WH-2")[keys["Lead Score"]] == 12
    assert sandbox.state.leads[rising["id"]][keys["Lead Score"]] == 97
    assert sandbox.state.leads[steady["id"]]["date_updated"] == steady_updated
    new_tasks = [sandbox.state.tasks[t] for t in set(sandbox.state.tasks) - tasks_before]
    assert sorted((t["lead_id"], t["text"]) for t in new_tasks) == sorted(
        [
            (rising["id"], FOLLOW_UP.format(company=rising["name"], score=97)),
            (bluth["id"], FOLLOW_UP.format(company="Bluth Company", score=91)),
        ]
    )
    assert {t["date"] for t in new_tasks} == {run.run_after.date().isoformat()}

    # The same table again: every lead is unchanged, so the only POST is the (read-only)
    # lead search, and no follow-up task is created.
    sandbox.clock.advance(sandbox.search_lag)  # a later run: search has caught up
    seen = len(sandbox.requests)
    rerun = run_example(DAG_ID)

    assert rerun.state == "success"
    rerun_requests = sandbox.requests[seen:]
    assert {(r.method, r.path) for r in rerun_requests if r.method != "GET"} == {
        ("POST", "/data/search/")
    }
    assert len(sandbox.state.leads) == leads_before + 2
    assert len(sandbox.state.tasks) == len(tasks_before) + 2
