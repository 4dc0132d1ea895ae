"""Bounded memory: the input read lazily, a batch at a time, results sunk per batch, keys of
earlier batches remembered on disk; and the shards of the scale-out pattern."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.bulk import airflow_sources
from airflow_provider_close.bulk.batches import batched_rows
from airflow_provider_close.bulk.engine import UpsertOptions
from airflow_provider_close.bulk.readers import iter_file_rows
from airflow_provider_close.bulk.results import ResultFile, RowResult
from airflow_provider_close.bulk.seen_keys import SeenKeys
from airflow_provider_close.bulk.shards import check_shard, in_shard, shard_of
from airflow_provider_close.lookups.leads import LeadMatchKey
from airflow_provider_close.sandbox import CloseSandbox, Fault
from tests.bulk.test_engine_sandbox import _ext_counts, _rows, _run
from tests.settle_clock import SandboxSettleClock

EXT = LeadMatchKey("custom_field", "cf_x")


def _counting(rows: list[dict[str, Any]], read: list[int]) -> Iterator[dict[str, Any]]:
    for row in rows:
        read[0] += 1
        yield row


def test_batches_read_the_input_lazily_and_keep_row_indexes() -> None:
    read = [0]
    rows = [{"ext": f"E-{i}"} for i in range(25)]
    batches = batched_rows(_counting(rows, read), size=10, key=EXT, column="ext")
    indexes, first = next(batches)
    assert indexes == list(range(10))
    assert first == rows[:10]
    assert read[0] == 10  # not the whole input
    assert [len(b) for _, b in batches] == [10, 5]


def test_a_smaller_first_batch_comes_first_then_full_ones() -> None:
    rows = [{"ext": f"E-{i}"} for i in range(25)]
    sizes = [len(b) for _, b in batched_rows(rows, size=10, first=3)]
    assert sizes == [3, 10, 10, 2]
    assert [len(b) for _, b in batched_rows(rows, size=10, first=50)] == [10, 10, 5]


async def test_the_upserts_first_batch_is_one_lookup_chunk(seeded_sandbox: CloseSandbox) -> None:
    sunk: list[list[RowResult]] = []
    rows = _rows(25, prefix="FIRST")
    await _run(seeded_sandbox, rows, batch_size=10, lookup_chunk_size=4, sink=sunk.append)
    # the first writes wait for one search (4 keys), not for the 3 a 10-row batch needs
    assert [len(batch) for batch in sunk] == [4, 10, 10, 1]
    searches = [r for r in seeded_sandbox.requests if r.path.endswith("/data/search/")]
    assert len(searches) == 1 + 3 + 3 + 1  # one per chunk of each batch


def test_shards_split_the_rows_by_key_each_row_once() -> None:
    rows: list[Any] = [{"ext": f"E-{i % 40}"} for i in range(100)] + [{"ext": " "}, "not a dict"]
    owners = [
        [s for s in range(3) if in_shard((s, 3), EXT, row, "ext", i)] for i, row in enumerate(rows)
    ]
    assert all(len(o) == 1 for o in owners)  # every row in exactly one shard
    by_key: dict[str, set[int]] = {}
    for row, (owner,) in zip(rows[:100], owners[:100], strict=True):
        by_key.setdefault(row["ext"], set()).add(owner)
    assert all(len(s) == 1 for s in by_key.values())  # one key, one shard
    assert len({o[0] for o in owners}) == 3  # all shards used
    email = LeadMatchKey("contact_email")
    assert shard_of(email, " A@X.example", 7) == shard_of(email, "a@x.example", 7)


@pytest.mark.parametrize("bad", [(3, 3), (-1, 2), (0, 0), (1,), "0/2", (0.0, 2)])
def test_a_bad_shard_is_refused_naming_the_allowed_values(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"shard must be a pair \(i, n\) with 0 <= i < n"):
        check_shard(bad)
    with pytest.raises(ValueError, match="shard must be"):
        UpsertOptions(shard=bad)


def test_seen_keys_keep_the_first_row_of_each_key() -> None:
    seen = SeenKeys()
    seen.add({f"k{i}": i for i in range(1200)})
    seen.add({"k5": 9999, "new": 1300})
    found = seen.earlier([*(f"k{i}" for i in range(0, 1200, 7)), "new", "absent"])
    assert found["k7"] == 7
    assert found["new"] == 1300
    assert "absent" not in found
    assert found.get("k5") is None  # 5 is not a multiple of 7: not asked
    assert seen.earlier(["k5"]) == {"k5": 5}  # the first row stays
    seen.close()


def test_result_file_appends_batches_and_tallies_them(tmp_path: Path) -> None:
    def result(row: int, action: Any) -> RowResult:
        return RowResult(row=row, key=str(row), action=action, close_id=None, error=None)

    target = tmp_path / "out" / "results.jsonl"
    with ResultFile(str(target)) as file:
        file.add([result(1, "created"), result(0, "unchanged")])
        assert target.read_text().count("\n") == 2  # on disk before the next batch
        file.add([result(2, "failed")])
    lines = target.read_text().splitlines()
    assert [line.count('"row": ') for line in lines] == [1, 1, 1]
    assert '"row": 0' in lines[0]
    assert '"row": 2' in lines[2]
    summary = file.tally.summary(
        result_path=file.path, duration_seconds=1, dry_run=False, rate_limited=0
    )
    assert summary["total"] == 3
    assert summary["counts"]["failed"] == 1
    assert [r["row"] for r in summary["sample"]] == [1, 2]  # unchanged rows are not sampled


def test_jsonl_rows_are_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(f'{{"i": {i}}}\n' for i in range(5)) + "oops\n")
    rows = iter_file_rows(str(path))
    assert next(rows) == {"i": 0}
    path.write_text("")  # the open handle still reads the rest; nothing was loaded up front
    assert list(rows)[-1] == "line 6 is not JSON: Expecting value"
    with pytest.raises(ValueError, match="format"):
        iter_file_rows(str(tmp_path / "rows.txt"))  # refused at the call, before reading


class _Cursor:
    description = (("ext",), ("name",))

    def __init__(self) -> None:
        self._rows = [(f"E-{i}", f"N {i}") for i in range(7)]
        self.fetches: list[int] = []

    def execute(self, sql: str, *args: object) -> None:
        assert sql == "SELECT ext, name FROM t"

    def fetchmany(self, size: int) -> list[tuple[str, str]]:
        self.fetches.append(size)
        taken, self._rows = self._rows[:size], self._rows[size:]
        return taken

    def fetchall(self) -> list[tuple[str, str]]:
        raise AssertionError("fetchall loads the whole result")

    def close(self) -> None:
        pass


def test_sql_rows_are_fetched_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    cursor = _Cursor()

    class _Connection:
        def cursor(self) -> _Cursor:
            return cursor

        def close(self) -> None:
            pass

    class _Hook:
        def get_conn(self) -> _Connection:
            return _Connection()

    monkeypatch.setattr(airflow_sources, "sql_hook", lambda _conn_id: _Hook())
    rows = airflow_sources.iter_sql_rows("db", "SELECT ext, name FROM t", fetch_size=3)
    assert next(rows) == {"ext": "E-0", "name": "N 0"}
    assert cursor.fetches == [3]
    assert len(list(rows)) == 6
    assert cursor.fetches == [3, 3, 3, 3]  # the real SQLite path: tests/operators


async def test_a_key_repeated_in_a_later_batch_is_a_duplicate_not_a_second_lead(
    seeded_sandbox: CloseSandbox,
) -> None:
    rows = _rows(35, prefix="BATCH")
    rows[27] = {**rows[3], "company": "Same key, later batch"}  # search cannot see row 3 yet
    sunk: list[list[RowResult]] = []
    run = await _run(seeded_sandbox, rows, batch_size=10, sink=sunk.append)

    assert [len(batch) for batch in sunk] == [10, 10, 10, 5]  # the first: one 100-key search
    results = sorted((r for batch in sunk for r in batch), key=lambda r: r["row"])
    assert [r["row"] for r in results] == list(range(35))
    assert run.results == []  # they went to the sink, not into memory
    assert results[3]["action"] == "created"
    assert results[27]["action"] == "duplicate_key"
    assert "first at row 3" in str(results[27]["error"])
    assert _ext_counts(seeded_sandbox)["BATCH-3"] == 1
    assert Counter(r["action"] for r in results) == {"created": 34, "duplicate_key": 1}


async def test_lost_creates_of_every_batch_are_resolved_at_the_end(
    seeded_sandbox: CloseSandbox,
) -> None:
    lost = Fault("drop_after", method="POST", path="/lead/", probability=0.2, seed=3)
    seeded_sandbox.add_fault(lost)
    clock = SandboxSettleClock(seeded_sandbox)
    sunk: list[list[RowResult]] = []
    await _run(
        seeded_sandbox, _rows(60, prefix="LOSTB"), batch_size=20, clock=clock, sink=sunk.append
    )

    assert sum(1 for r in seeded_sandbox.requests if r.fault == "drop_after") >= 5
    assert len(sunk) == 4  # three batches, then the resolved rows
    results = [r for batch in sunk for r in batch]
    assert sorted(r["row"] for r in results) == list(range(60))
    assert Counter(r["action"] for r in results) == {"created": 60}
    counts = _ext_counts(seeded_sandbox)
    assert [counts[f"LOSTB-{i}"] for i in range(60)] == [1] * 60
