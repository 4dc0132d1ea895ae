"""The extraction benchmark runs end to end on a small scenario (and reports what it claims)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_extract


def test_small_scenario_is_exact_and_identical_on_rerun() -> None:
    (row,) = bench_extract.run(((1_234, 300, 2),))
    assert row["written"] == 1_234
    assert row["minimum"] == 13
    assert row["windows"] == 1  # keyset pages never need a _skip, whatever the max skip
    assert 0 <= int(str(row["extra"])) <= 1  # a re-read boundary row or two per page
    assert row["identical re-run"] == "yes"
