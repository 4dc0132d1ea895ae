"""Contacts and opportunities in batches smaller than the input give the results of one batch:
created, updated, unchanged, invalid, a dropped response, a re-run writing nothing; a key
repeated in a later batch is reported ``duplicate_key`` (never a second object), the lead of a
key shared by rows of several batches is looked up (or created) once, and the input is read a
batch at a time with results appended per batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest

from airflow_provider_close.bulk.results import ResultFile
from airflow_provider_close.operators.bulk_contacts import CloseUpsertContactsOperator
from airflow_provider_close.operators.bulk_opportunities import CloseUpsertOpportunitiesOperator
from airflow_provider_close.sandbox import CloseSandbox, Fault
from tests.operators.bulk_sandbox import result_lines, writes
from tests.operators.test_bulk_contacts import LEAD_MAPPING, _contacts_with_email, _existing
from tests.operators.test_bulk_contacts import MAPPING as CONTACT_MAPPING
from tests.operators.test_bulk_opportunities import MAPPING as OPPORTUNITY_MAPPING
from tests.operators.test_bulk_opportunities import _opps, _row
from tests.operators.test_bulk_stop import (
    CONCURRENCY,
    ROWS,
    _check_stopped_file,
    _kill_mid_run,
    _lines,
)

Run = Callable[..., dict[str, Any]]


def _posts(sandbox: CloseSandbox, path: str) -> int:
    return sum(1 for r in sandbox.requests if r.method == "POST" and r.path.endswith(path))


def _contacts_op(tmp_path: Path, **kwargs: Any) -> CloseUpsertContactsOperator:
    kwargs.setdefault("result_path", str(tmp_path / "results.jsonl"))
    return CloseUpsertContactsOperator(
        task_id="contacts",
        mapping=CONTACT_MAPPING,
        match_key="email",
        lead_mapping=LEAD_MAPPING,
        lead_match_key="External ID",
        max_failed_rows=None,
        **kwargs,
    )


@pytest.fixture
def contacts(seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path) -> Run:
    def run(**kwargs: Any) -> dict[str, Any]:
        op = _contacts_op(tmp_path, **kwargs)
        return dict(op.execute({"ti": MagicMock(), "run_id": "test"}))  # type: ignore[arg-type]

    return run


@pytest.fixture
def opportunities(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> Run:
    def run(**kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("result_path", str(tmp_path / "results.jsonl"))
        op = CloseUpsertOpportunitiesOperator(
            task_id="opps",
            mapping=OPPORTUNITY_MAPPING,
            match_key="Source",
            lead_match_key="External ID",
            lead_key_column="account_id",
            value_unit="units",
            max_failed_rows=None,
            **kwargs,
        )
        return dict(op.execute({"ti": MagicMock(), "run_id": "test"}))  # type: ignore[arg-type]

    return run


def _contact(person: str, email: str, company: str, ext: str, **over: Any) -> dict[str, Any]:
    row = {"person": person, "title": "", "email": email, "li": "", "company": company}
    return {**row, "account_id": ext, **over}


def _contact_rows(sandbox: CloseSandbox) -> list[dict[str, Any]]:
    lead0, contact0 = _existing(sandbox, "EXT-1000")
    lead1, contact1 = _existing(sandbox, "EXT-1001")
    lead2, _ = _existing(sandbox, "EXT-1002")
    unchanged = _contact(
        contact0["name"],
        contact0["emails"][0]["email"],
        lead0["name"],
        "EXT-1000",
        title=contact0.get("title") or "",
    )
    return [
        unchanged,
        _contact(
            contact1["name"],
            contact1["emails"][0]["email"],
            lead1["name"],
            "EXT-1001",
            title="Chief Batch Officer",
        ),
        _contact("Nia New", "nia@batch.example", lead1["name"], "EXT-1001"),
        _contact("Ola Other", "ola@batch.example", "Fresh Batch Ltd", "EXT-FRESH-B"),
        _contact("Bad Row", "not-an-email", "Fresh Batch Ltd", "EXT-FRESH-B"),
        _contact("Ray Second", "ray@batch.example", "Second Fresh Ltd", "EXT-FRESH-C"),
        _contact("Pia Peer", "pia@batch.example", "Fresh Batch Ltd", "EXT-FRESH-B"),
        _contact("Sam Same", "sam@batch.example", lead2["name"], "EXT-1002"),
        _contact("Quin Peer", "quin@batch.example", "Fresh Batch Ltd", "EXT-FRESH-B"),
        _contact("Tia Third", "tia@batch.example", "Second Fresh Ltd", "EXT-FRESH-C"),
    ]


@pytest.mark.parametrize("batch_size", [3, 1000])
def test_contacts_in_batches_give_the_results_of_one_batch_and_each_new_lead_once(
    seeded_sandbox: CloseSandbox, contacts: Run, tmp_path: Path, batch_size: int
) -> None:
    rows = _contact_rows(seeded_sandbox)
    leads_before = len(seeded_sandbox.state.leads)
    seeded_sandbox.add_fault(Fault("drop_after", method="POST", path="/contact/", times=1))

    summary = contacts(rows=rows, batch_size=batch_size)

    actions = [r["action"] for r in result_lines(tmp_path / "results.jsonl")]
    assert actions == ["unchanged", "updated", "created", "created", "invalid", *["created"] * 5]
    assert summary["counts"]["created"] == 7
    assert any(r.fault == "drop_after" for r in seeded_sandbox.requests)
    emails = [r["email"] for r in rows if r["email"].endswith("@batch.example")]
    assert [len(_contacts_with_email(seeded_sandbox, e)) for e in emails] == [1] * 7
    assert _posts(seeded_sandbox, "/contact/") == 7  # the lost response was found, not re-sent
    # rows 3, 6 and 8 (three batches of 3) share one new lead: searched, created once
    assert len(seeded_sandbox.state.leads) == leads_before + 2
    assert _posts(seeded_sandbox, "/lead/") == 2
    (ola,) = _contacts_with_email(seeded_sandbox, "ola@batch.example")
    (quin,) = _contacts_with_email(seeded_sandbox, "quin@batch.example")
    assert quin["lead_id"] == ola["lead_id"]

    seeded_sandbox.clock.advance(seeded_sandbox.search_lag)  # a later run: search caught up
    writes_before = len(writes(seeded_sandbox))
    again = contacts(rows=rows, batch_size=batch_size)
    assert {k: v for k, v in again["counts"].items() if v} == {"unchanged": 9, "invalid": 1}
    assert len(writes(seeded_sandbox)) == writes_before


def test_a_contact_key_repeated_in_a_later_batch_is_a_duplicate_not_a_second_contact(
    seeded_sandbox: CloseSandbox, contacts: Run, tmp_path: Path
) -> None:
    rows = [_contact(f"P{i}", f"p{i}@dup.example", "Dup Co", "EXT-1003") for i in range(7)]
    rows[4] = {**rows[1], "person": "Later Twin"}  # batch 2; search cannot see row 1 yet
    rows[5] = {**rows[3], "person": "Same Batch Twin"}  # batch 2, with row 3
    summary = contacts(rows=rows, batch_size=3)
    results = result_lines(tmp_path / "results.jsonl")
    assert [r["action"] for r in results] == [
        "created",
        "created",
        "created",
        "duplicate_key",  # with row 5, in its batch: neither is written
        "duplicate_key",  # row 1 was, in an earlier batch
        "duplicate_key",
        "created",
    ]
    assert "first at row 1" in str(results[4]["error"])
    assert summary["total"] == 7  # reported, never dropped
    assert len(_contacts_with_email(seeded_sandbox, "p1@dup.example")) == 1
    assert _contacts_with_email(seeded_sandbox, "p1@dup.example")[0]["name"] == "P1"
    assert not _contacts_with_email(seeded_sandbox, "p3@dup.example")


def _opportunity_rows() -> list[dict[str, Any]]:
    return [
        _row("B-1", "EXT-1000"),  # unchanged
        _row("B-2", "EXT-1001", stage="won", amount=1000),  # updated
        _row("B-3", "EXT-1002"),
        _row("B-4", "EXT-1002", stage="No Such Stage"),  # invalid: unknown status label
        _row("B-5", "EXT-NOBODY"),  # invalid: no lead holds the key
        _row("B-6", "EXT-1002"),  # the lead of row 2, in a later batch
        _row("B-7", "EXT-1003"),
        _row("B-8", "EXT-1002"),
        _row("B-9", "EXT-1000"),  # the lead of row 0, two batches later
        _row("B-10", "EXT-NOBODY"),  # invalid: known to have no lead, not searched again
    ]


@pytest.mark.parametrize(("batch_size", "lead_searches"), [(3, 3), (1000, 1)])
def test_opportunities_in_batches_give_the_results_of_one_batch_and_search_each_lead_once(
    seeded_sandbox: CloseSandbox,
    opportunities: Run,
    tmp_path: Path,
    batch_size: int,
    lead_searches: int,
) -> None:
    opportunities(rows=[_row("B-1", "EXT-1000"), _row("B-2", "EXT-1001")])
    seeded_sandbox.add_fault(Fault("drop_after", method="POST", path="/opportunity/", times=1))
    posts_before = _posts(seeded_sandbox, "/opportunity/")
    searches_before = _posts(seeded_sandbox, "/data/search/")

    summary = opportunities(rows=_opportunity_rows(), batch_size=batch_size)

    results = result_lines(tmp_path / "results.jsonl")
    assert [r["action"] for r in results] == [
        "unchanged",
        "updated",
        "created",
        "invalid",
        "invalid",
        "created",
        "created",
        "created",
        "created",
        "invalid",
    ]
    assert "no lead" in str(results[9]["error"])
    assert summary["counts"]["created"] == 5
    assert any(r.fault == "drop_after" for r in seeded_sandbox.requests)
    assert _posts(seeded_sandbox, "/opportunity/") - posts_before == 5  # never re-sent
    for deal in ("B-3", "B-6", "B-7", "B-8", "B-9"):
        assert len(_opps(seeded_sandbox, deal)) == 1
    # batches 1-3 name new lead keys; the fourth only EXT-NOBODY, searched in the second
    assert _posts(seeded_sandbox, "/data/search/") - searches_before == lead_searches

    writes_before = len(writes(seeded_sandbox))
    again = opportunities(rows=_opportunity_rows(), batch_size=batch_size)
    assert {k: v for k, v in again["counts"].items() if v} == {"unchanged": 7, "invalid": 3}
    assert len(writes(seeded_sandbox)) == writes_before


def test_an_opportunity_key_repeated_in_a_later_batch_is_a_duplicate_not_an_update(
    seeded_sandbox: CloseSandbox, opportunities: Run, tmp_path: Path
) -> None:
    rows = [_row(f"DUP-{i}", "EXT-1004") for i in range(5)]
    rows[3] = _row("DUP-0", "EXT-1004", amount=1)  # batch 2: the list would show DUP-0 by now
    summary = opportunities(rows=rows, batch_size=3)
    results = result_lines(tmp_path / "results.jsonl")
    assert [r["action"] for r in results] == [
        "created",
        "created",
        "created",
        "duplicate_key",
        "created",
    ]
    assert "first at row 0" in str(results[3]["error"])
    assert summary["total"] == 5
    (first,) = _opps(seeded_sandbox, "DUP-0")
    assert first["value"] == 49999  # the later row changed nothing


def test_the_input_is_read_a_batch_at_a_time_and_results_appended_per_batch(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [_contact(f"L{i}", f"l{i}@lazy.example", "", "EXT-1005") for i in range(8)]
    read = [0]

    def counting() -> Iterator[dict[str, Any]]:
        for row in rows:
            read[0] += 1
            yield row

    appended: list[tuple[int, int]] = []
    add = ResultFile.add

    def spy(self: ResultFile, results: Any) -> None:
        appended.append((len(results), read[0]))
        add(self, results)

    monkeypatch.setattr(ResultFile, "add", spy)
    op = _contacts_op(tmp_path, rows=rows, batch_size=3)
    monkeypatch.setattr(op, "_stream", counting)
    summary = op.execute({"ti": MagicMock(), "run_id": "test"})  # type: ignore[arg-type]
    assert appended == [(3, 3), (3, 6), (2, 8)]  # each batch written before the next is read
    assert summary["counts"]["created"] == 8


def test_on_kill_mid_batched_contact_upsert_reads_no_batch_after_the_stop(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    rows = [_contact(f"Stop {i}", f"stop{i}@batches.example", "", "EXT-1000") for i in range(ROWS)]
    seeded_sandbox.set_latency(100)
    result = tmp_path / "stopped.jsonl"
    op = _contacts_op(tmp_path, rows=rows, result_path=str(result), batch_size=10)
    op.max_concurrency = CONCURRENCY
    _kill_mid_run(seeded_sandbox, op, "/contact/", 3)

    in_file = len(_lines(result)) - 1
    assert in_file < ROWS  # not the whole input
    assert in_file % 10 == 0  # whole batches
    posts = [r for r in seeded_sandbox.requests if r.method == "POST" and r.path == "/contact/"]
    skipped = _check_stopped_file(result, total=in_file, posts=posts, rest_read=False)
    assert {r["row"] for r in skipped} >= set(range(in_file - 10, in_file))  # the batch read last
