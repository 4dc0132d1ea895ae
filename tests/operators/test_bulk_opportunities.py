"""CloseUpsertOpportunitiesOperator against the sandbox: created, updated, unchanged,
invalid (also: no lead holds the key), duplicate keys, a dropped create response, a re-run
that writes nothing, and value units."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest

from airflow_provider_close.bulk.mapping import MappingError
from airflow_provider_close.operators.bulk_opportunities import CloseUpsertOpportunitiesOperator
from airflow_provider_close.sandbox import CloseSandbox, Fault
from tests.conftest import SENTINEL_KEY
from tests.operators.bulk_sandbox import cf_key, result_lines, writes

MAPPING = {
    "status": "stage",
    "value": "amount",
    "value_period": "period",
    "note": "summary",
    "custom": {"Source": "deal_id"},
}


def _opps(sandbox: CloseSandbox, deal: str) -> list[dict[str, Any]]:
    key = cf_key(sandbox, "opportunity", "Source")
    return [o for o in sandbox.state.opportunities.values() if o.get(key) == deal]


@pytest.fixture
def upsert(
    seeded_sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> Callable[..., dict[str, Any]]:
    def run(**kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("mapping", MAPPING)
        kwargs.setdefault("match_key", "Source")
        kwargs.setdefault("lead_match_key", "External ID")
        kwargs.setdefault("lead_key_column", "account_id")
        kwargs.setdefault("value_unit", "units")
        kwargs.setdefault("result_path", str(tmp_path / "results.jsonl"))
        kwargs.setdefault("max_failed_rows", None)
        op = CloseUpsertOpportunitiesOperator(task_id="opps", **kwargs)
        return dict(op.execute({"ti": MagicMock(), "run_id": "test"}))  # type: ignore[arg-type]

    return run


def _row(deal: str, ext: str, **over: Any) -> dict[str, Any]:
    row = {
        "deal_id": deal,
        "account_id": ext,
        "stage": "Active",
        "amount": "499.99",
        "period": "one_time",
        "summary": f"deal {deal}",
    }
    return {**row, **over}


def test_created_updated_unchanged_invalid_duplicate_then_a_rerun_writes_nothing(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    first = upsert(rows=[_row("D-1", "EXT-1000"), _row("D-2", "EXT-1001")])
    assert first["counts"]["created"] == 2
    (d1,) = _opps(seeded_sandbox, "D-1")
    assert d1["value"] == 49999
    assert d1["status_label"] == "Active"  # units read as dollars

    rows = [
        _row("D-1", "EXT-1000"),  # unchanged: the opportunity list is immediate
        _row("D-2", "EXT-1001", stage="won", amount=1000),  # updated (label case-insensitive)
        _row("D-3", "EXT-1002"),  # created
        _row("D-4", "EXT-1002", stage="No Such Stage"),  # invalid: unknown status label
        _row("D-5", "EXT-NOBODY"),  # invalid: no lead holds the key
        _row("D-6", "EXT-1003"),
        _row("D-6", "EXT-1003", amount=1),  # duplicate keys
        _row("D-7", "EXT-1003", amount="12.345"),  # invalid: more than 2 decimals
    ]
    summary = upsert(rows=rows)
    results = result_lines(tmp_path / "results.jsonl")
    assert [r["action"] for r in results] == [
        "unchanged",
        "updated",
        "created",
        "invalid",
        "invalid",
        "duplicate_key",
        "duplicate_key",
        "invalid",
    ], results
    assert "No Such Stage" in str(results[3]["error"])
    assert "no lead" in str(results[4]["error"])
    assert summary["counts"]["created"] == 1
    (d2,) = _opps(seeded_sandbox, "D-2")
    assert d2["value"] == 100000
    assert d2["status_type"] == "won"
    assert results[1]["close_id"] == d2["id"]
    assert not _opps(seeded_sandbox, "D-6")

    writes_before = len(writes(seeded_sandbox))
    again = upsert(rows=rows[:3])  # no clock advance: opportunities need no settle window
    assert again["counts"]["unchanged"] == 3
    assert len(writes(seeded_sandbox)) == writes_before


def test_a_dropped_create_response_is_found_in_the_lead_and_never_resent(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    seeded_sandbox.add_fault(Fault("drop_after", method="POST", path="/opportunity/", times=1))
    summary = upsert(rows=[_row("LOST-1", "EXT-1004"), _row("LOST-2", "EXT-1005")])
    assert summary["counts"]["created"] == 2
    assert any(r.fault == "drop_after" for r in seeded_sandbox.requests)
    assert len(_opps(seeded_sandbox, "LOST-1")) == 1
    assert len(_opps(seeded_sandbox, "LOST-2")) == 1
    posts = [
        r
        for r in seeded_sandbox.requests
        if r.method == "POST" and r.path.endswith("/opportunity/")
    ]
    assert len(posts) == 2


def test_value_needs_a_unit_and_the_match_key_must_be_mapped(
    upsert: Callable[..., dict[str, Any]], seeded_sandbox: CloseSandbox
) -> None:
    with pytest.raises(MappingError, match="value_unit"):
        upsert(rows=[_row("X", "EXT-1000")], value_unit=None)
    with pytest.raises(MappingError, match="value_unit must be one of"):
        upsert(rows=[_row("X", "EXT-1000")], value_unit="dollars")
    assert not writes(seeded_sandbox)


def test_dry_run_writes_nothing_and_the_key_never_reaches_results_or_summary(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]], tmp_path: Path
) -> None:
    summary = upsert(rows=[_row("DRY-1", "EXT-1006"), _row("DRY-2", "EXT-NONE")], dry_run=True)
    results = result_lines(tmp_path / "results.jsonl")
    assert [r["action"] for r in results] == ["would_create", "invalid"]
    assert not writes(seeded_sandbox)
    assert SENTINEL_KEY not in json.dumps(summary)
    assert SENTINEL_KEY not in (tmp_path / "results.jsonl").read_text()


def test_a_fifth_of_creates_lost_after_commit_duplicates_nothing(
    seeded_sandbox: CloseSandbox, upsert: Callable[..., dict[str, Any]]
) -> None:
    seeded_sandbox.set_rate_limit("default", 100_000, 1.0)
    lost = Fault("drop_after", method="POST", path="/opportunity/", probability=0.2, seed=5)
    seeded_sandbox.add_fault(lost)
    rows = [_row(f"MANY-{i}", f"EXT-{1000 + i % 20}") for i in range(100)]
    summary = upsert(rows=rows, max_concurrency=8)
    assert sum(1 for r in seeded_sandbox.requests if r.fault == "drop_after") >= 10
    assert summary["counts"]["created"] == 100
    assert [len(_opps(seeded_sandbox, f"MANY-{i}")) for i in range(100)] == [1] * 100
