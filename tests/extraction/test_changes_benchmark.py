"""The change benchmark runs end to end on small scenarios (and reports what it claims)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import bench_changes


def test_small_scenarios_write_every_change_near_the_minimum() -> None:
    leads, opportunities = bench_changes.run((("lead", 450), ("opportunity", 700)))
    assert leads["written"] == 450
    assert leads["minimum"] == 1 + 5  # the custom field definitions + ceil(450 / 100)
    assert opportunities["written"] == 700
    assert opportunities["minimum"] == 3
    for row in (leads, opportunities):
        extra = int(str(row["requests"])) - int(str(row["minimum"]))
        assert 0 <= extra <= 1  # a re-read boundary row per page
