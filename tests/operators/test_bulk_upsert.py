"""CloseUpsertLeadsOperator against the sandbox: create/update/unchanged, dry run, duplicates,
invalid rows, idempotent re-runs, and every input source (rows, SQL via SQLite, CSV, JSONL)."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.bulk.mapping import MappingError
from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.operators.bulk import CloseUpsertLeadsOperator
from airflow_provider_close.sandbox import CloseSandbox
from tests.conftest import SENTINEL_KEY
from tests.operators.fail_now import fails_now
from tests.operators.fakes import FakeTaskInstance

MAPPING = {
    "name": "company",
    "url": "website",
    "status": "status",
    "contacts": [{"name": "contact_name", "emails": ["email"]}],
    "custom": {"External ID": "account_id", "Lead Score": "score"},
}


def _cf_key(sandbox: CloseSandbox, name: str) -> str:
    (cf_id,) = [i for i, f in sandbox.state.custom_fields["lead"].items() if f["name"] == name]
    return f"custom.{cf_id}"


def _lead_by_ext(sandbox: CloseSandbox, ext: str) -> list[dict[str, Any]]:
    key = _cf_key(sandbox, "External ID")
    return [lead for lead in sandbox.state.leads.values() if lead.get(key) == ext]


def _writes(sandbox: CloseSandbox) -> list[Any]:
    return [
        r for r in sandbox.requests if r.method in ("POST", "PUT") and "/data/search" not in r.path
    ]


def _results(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def upsert(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> Callable[..., dict[str, Any]]:
    def run(**kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("mapping", MAPPING)
        kwargs.setdefault("match_key", "External ID")
        kwargs.setdefault("result_path", str(tmp_path / "results.jsonl"))
        op = CloseUpsertLeadsOperator(task_id="upsert", **kwargs)
        return dict(op.execute({"ti": MagicMock(), "run_id": "test"}))  # type: ignore[arg-type]

    return run


def _existing_row(sandbox: CloseSandbox, ext: str) -> dict[str, Any]:
    (lead,) = _lead_by_ext(sandbox, ext)
    contact = sandbox.state.contacts[
        next(
            c for c in sandbox.state.contacts if sandbox.state.contacts[c]["lead_id"] == lead["id"]
        )
    ]
    return {
        "company": lead["name"],
        "website": lead["url"],
        "status": lead["status_label"],
        "contact_name": contact["name"],
        "email": contact["emails"][0]["email"],
        "account_id": ext,
        "score": lead[_cf_key(sandbox, "Lead Score")],
    }


def test_create_update_unchanged_then_a_rerun_writes_nothing(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    unchanged = _existing_row(seeded_sandbox, "EXT-1000")
    updated = {**_existing_row(seeded_sandbox, "EXT-1001"), "company": "Renamed Inc", "score": 7}
    new = {
        "company": "Brand New Co",
        "website": "https://brandnew.example",
        "status": "Qualified",
        "contact_name": "Nia New",
        "email": "nia@brandnew.example",
        "account_id": "EXT-NEW-1",
        "score": "12",
    }
    leads_before = len(seeded_sandbox.state.leads)
    summary = upsert(rows=[unchanged, updated, new])
    assert {k: v for k, v in summary["counts"].items() if v} == {
        "unchanged": 1,
        "updated": 1,
        "created": 1,
    }
    assert len(seeded_sandbox.state.leads) == leads_before + 1
    (renamed,) = _lead_by_ext(seeded_sandbox, "EXT-1001")
    assert renamed["name"] == "Renamed Inc"
    assert renamed[_cf_key(seeded_sandbox, "Lead Score")] == 7
    (created,) = _lead_by_ext(seeded_sandbox, "EXT-NEW-1")
    assert created["status_label"] == "Qualified"
    results = _results(tmp_path / "results.jsonl")
    assert [(r["row"], r["action"]) for r in results] == [
        (0, "unchanged"),
        (1, "updated"),
        (2, "created"),
    ]
    assert results[2]["close_id"] == created["id"]
    puts = [r for r in _writes(seeded_sandbox) if r.method == "PUT"]
    assert len(puts) == 1  # only the lead that differed

    seeded_sandbox.clock.advance(seeded_sandbox.search_lag)  # a later run: search caught up
    writes_before = len(_writes(seeded_sandbox))
    again = upsert(rows=[unchanged, updated, new])
    assert again["counts"]["unchanged"] == 3
    assert len(_writes(seeded_sandbox)) == writes_before


def test_dry_run_writes_nothing_and_reports_what_it_would_do(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    rows = [
        _existing_row(seeded_sandbox, "EXT-1000"),
        {**_existing_row(seeded_sandbox, "EXT-1001"), "company": "Other"},
        {**_existing_row(seeded_sandbox, "EXT-1002"), "account_id": "EXT-DRY"},
        {**_existing_row(seeded_sandbox, "EXT-1003"), "company": None, "account_id": "EXT-X"},
    ]
    summary = upsert(rows=rows, dry_run=True)
    assert _writes(seeded_sandbox) == []
    assert summary["dry_run"] is True
    assert {k: v for k, v in summary["counts"].items() if v} == {
        "unchanged": 1,
        "would_update": 1,
        "would_create": 1,
        "invalid": 1,
    }
    assert {s["action"] for s in summary["sample"]} == {"would_update", "would_create", "invalid"}


def test_duplicates_and_invalid_rows_are_reported_and_fail_the_task_after_the_rest(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    good = {**_existing_row(seeded_sandbox, "EXT-1000"), "account_id": "EXT-OK"}
    rows = [
        {**good, "account_id": "EXT-DUP", "company": "One"},
        {**good, "account_id": "EXT-DUP", "company": "Two"},
        {**good, "account_id": ""},
        {**good, "account_id": "EXT-BADURL", "website": "not a url"},
        {**good, "account_id": "EXT-BADMAIL", "email": "nope"},
        good,
    ]
    with pytest.raises(AirflowException, match="failure threshold crossed: 5 rows"):
        upsert(rows=rows)
    results = _results(tmp_path / "results.jsonl")
    assert [r["action"] for r in results] == [
        "duplicate_key",
        "duplicate_key",
        "invalid",
        "invalid",
        "invalid",
        "created",
    ]
    assert results[2]["error"] == "match key column 'account_id' is empty"
    assert "url" in results[3]["error"]
    assert "email" in results[4]["error"]
    assert _lead_by_ext(seeded_sandbox, "EXT-DUP") == []
    assert len(_lead_by_ext(seeded_sandbox, "EXT-OK")) == 1
    seeded_sandbox.clock.advance(seeded_sandbox.search_lag)  # a later run: search caught up
    summary = upsert(rows=rows, max_failed_rows=5)
    assert summary["counts"]["unchanged"] == 1


def test_a_retry_at_once_waits_until_search_shows_the_first_try_and_duplicates_nothing(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path, settle_clock
) -> None:
    row = {**_existing_row(seeded_sandbox, "EXT-1000"), "account_id": "EXT-RETRY"}

    def attempt(try_number: int) -> dict[str, Any]:
        op = CloseUpsertLeadsOperator(
            task_id="upsert",
            mapping=MAPPING,
            match_key="External ID",
            rows=[row],
            result_path=str(tmp_path / f"try{try_number}.jsonl"),
        )
        return dict(op.execute({"ti": FakeTaskInstance(try_number=try_number), "run_id": "t"}))

    assert attempt(1)["counts"]["created"] == 1
    assert attempt(2)["counts"]["unchanged"] == 1  # Airflow's retry, with retry_delay=0
    assert len(_lead_by_ext(seeded_sandbox, "EXT-RETRY")) == 1
    assert sum(settle_clock.slept) >= 59  # waited out the settle window on the sandbox clock


def test_existing_lead_gets_missing_contacts_added_never_duplicated(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    row = {
        **_existing_row(seeded_sandbox, "EXT-1004"),
        "contact_name": "Extra",
        "email": "x@new.io",
    }
    (lead,) = _lead_by_ext(seeded_sandbox, "EXT-1004")
    count = sum(1 for c in seeded_sandbox.state.contacts.values() if c["lead_id"] == lead["id"])
    assert upsert(rows=[row])["counts"]["updated"] == 1
    assert upsert(rows=[row])["counts"]["unchanged"] == 1
    contacts = [c for c in seeded_sandbox.state.contacts.values() if c["lead_id"] == lead["id"]]
    assert len(contacts) == count + 1


def test_match_on_name_and_on_contact_email(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    row = _existing_row(seeded_sandbox, "EXT-1005")
    by_name = upsert(rows=[{**row, "score": 99}], match_key="name")
    assert by_name["counts"]["updated"] == 1
    seeded_sandbox.clock.advance(seeded_sandbox.search_lag)  # a later run: search caught up
    by_email = upsert(
        rows=[{**row, "score": 99, "email": row["email"].upper()}], match_key="contact_email"
    )
    assert by_email["counts"]["unchanged"] == 1


def test_bad_mapping_and_unknown_custom_field_fail_before_any_request(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    with pytest.raises(MappingError, match=r"unknown lead field\(s\) \['colour'\].*allowed: name"):
        upsert(rows=[{}], mapping={"colour": "c"})
    assert seeded_sandbox.requests == []
    with fails_now(ClosePayloadError, match="known names: 'External ID'"):
        upsert(rows=[{}], mapping={"name": "c", "custom": {"Nope": "x"}})
    assert _writes(seeded_sandbox) == []


def test_exactly_one_input_source(upsert: Callable[..., dict[str, Any]]) -> None:
    with pytest.raises(ValueError, match="exactly one input"):
        upsert(rows=[{"a": 1}], file="x.csv")


def test_sql_input_through_a_sqlite_connection(
    seeded_sandbox: CloseSandbox,
    upsert: Callable[..., dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "warehouse.db"
    with sqlite3.connect(db) as conn:
        conn.execute(
            "create table accounts"
            " (company, website, status, contact_name, email, account_id, score)"
        )
        conn.executemany(
            "insert into accounts values (?, ?, ?, ?, ?, ?, ?)",
            [
                (f"SQL Co {i}", None, "Potential", f"P{i}", f"p{i}@sql.io", f"SQL-{i}", i)
                for i in range(3)
            ],
        )
    monkeypatch.setenv(
        "AIRFLOW_CONN_WAREHOUSE", json.dumps({"conn_type": "sqlite", "host": str(db)})
    )
    summary = upsert(sql="select * from accounts order by account_id", sql_conn_id="warehouse")
    assert summary["counts"]["created"] == 3
    assert [lead["name"] for lead in _lead_by_ext(seeded_sandbox, "SQL-2")] == ["SQL Co 2"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "jsonl-url"])
def test_file_inputs(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path, fmt: str
) -> None:
    rows = [
        {"company": f"File Co {i}", "website": "", "status": "", "contact_name": f"F{i}",
         "email": f"f{i}@file.io", "account_id": f"FILE-{i}", "score": str(i)}
        for i in range(4)
    ]  # fmt: skip
    path = tmp_path / ("rows.csv" if fmt == "csv" else "rows.jsonl")
    if fmt == "csv":
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    source = f"file://{path}" if fmt == "jsonl-url" else str(path)
    result_path = f"file://{tmp_path}/out.jsonl" if fmt == "jsonl-url" else None
    kwargs = {"result_path": result_path} if result_path else {}
    summary = upsert(file=source, **kwargs)
    assert summary["counts"]["created"] == 4
    assert summary["result_path"].endswith("out.jsonl" if result_path else "results.jsonl")
    assert len(_lead_by_ext(seeded_sandbox, "FILE-3")) == 1
    seeded_sandbox.clock.advance(seeded_sandbox.search_lag)  # a later run: search caught up
    assert upsert(file=source, **kwargs)["counts"]["unchanged"] == 4


def test_the_api_key_never_reaches_the_results_or_the_summary(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    summary = upsert(rows=[{**_existing_row(seeded_sandbox, "EXT-1006"), "website": "bad"}],
                     max_failed_rows=10)  # fmt: skip
    assert SENTINEL_KEY not in json.dumps(summary)
    assert SENTINEL_KEY not in (tmp_path / "results.jsonl").read_text()
    op = CloseUpsertLeadsOperator(task_id="t", mapping=MAPPING, match_key="External ID", rows=[])
    assert all(SENTINEL_KEY not in str(getattr(op, f)) for f in op.template_fields)


def test_default_result_path_is_named_after_the_task_run(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    op = CloseUpsertLeadsOperator(
        task_id="push", mapping=MAPPING, match_key="External ID", rows=[], max_failed_rows=None
    )
    context = {"ti": MagicMock(), "dag": MagicMock(dag_id="scores"), "run_id": "manual__2026:01"}
    summary = op.execute(context)  # type: ignore[arg-type]
    assert summary["total"] == 0
    # Under AIRFLOW_HOME (each installation its own), not a shared /tmp folder.
    expected = Path(os.environ["AIRFLOW_HOME"], "close/bulk/scores/push/manual__2026_01.jsonl")
    assert summary["result_path"] == str(expected)
    assert Path(summary["result_path"]).read_text() == ""


def test_rows_with_a_wrongly_typed_custom_value_or_text_are_reported_never_sent(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    good = {**_existing_row(seeded_sandbox, "EXT-1000"), "account_id": "EXT-TYPED"}
    rows = [
        {**good, "account_id": "EXT-SCORE", "score": "lots"},
        {**good, "account_id": "EXT-NEWLINE", "company": "Two\nLines"},
        {**good, "account_id": "EXT-NUL", "contact_name": "A\x00B"},
        good,
    ]
    summary = upsert(rows=rows, max_failed_rows=3)
    assert summary["counts"]["created"] == 1
    results = _results(tmp_path / "results.jsonl")
    assert [r["action"] for r in results] == ["invalid", "invalid", "invalid", "created"]
    assert "lead.custom_fields['Lead Score']: got 'lots'" in results[0]["error"]
    assert "single line" in results[1]["error"]
    assert "NUL" in results[2]["error"]
    for ext in ("EXT-SCORE", "EXT-NEWLINE", "EXT-NUL"):
        assert _lead_by_ext(seeded_sandbox, ext) == []
    assert len(_writes(seeded_sandbox)) == 1  # the good row only


def test_writes_go_through_every_connection_in_close_conn_ids(
    upsert: Callable[..., dict[str, Any]], close_conn: Callable[..., str], tmp_path: Path
) -> None:
    # The second connection's key is refused: its writes fail (reported, never dropped),
    # which shows the upsert really wrote through both connections.
    close_conn("close_second_key", password="api_" + "R" * 40)
    rows = [{"company": f"Two Keys {i}", "account_id": f"TWO-{i}"} for i in range(40)]
    summary = upsert(
        rows=rows,
        mapping={"name": "company", "custom": {"External ID": "account_id"}},
        close_conn_ids=["close_second_key"],
        max_failed_rows=None,
        max_concurrency=2,
    )
    assert summary["total"] == 40
    assert summary["counts"]["created"] > 0
    assert summary["counts"]["failed"] > 0
    assert summary["counts"]["created"] + summary["counts"]["failed"] == 40
    failed = [r for r in _results(tmp_path / "results.jsonl") if r["action"] == "failed"]
    assert all("401" in str(r["error"]) or "Auth" in str(r["error"]) for r in failed)
