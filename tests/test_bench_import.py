"""The import benchmark's reading of ``-X importtime`` (a wrong parse would report zeros)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_import import split_import_times

OUTPUT = """\
import time: self [us] | cumulative | imported package
import time:        50 |         50 | _io
import time:       100 |       1000 |   airflow
import time:       200 |       1500 | airflow.sdk
import time:        10 |         10 |   airflow_provider_close.client.errors
import time:        30 |        300 | airflow_provider_close.hooks.close
import time:        20 |         20 | lazily_imported_later
"""


def test_splits_the_sdk_baseline_from_what_came_after() -> None:
    assert split_import_times(OUTPUT) == (1.5, 0.32)


def test_without_the_baseline_nothing_is_attributed() -> None:
    assert split_import_times("import time:        50 |         50 | _io\n") == (0.0, 0.0)
