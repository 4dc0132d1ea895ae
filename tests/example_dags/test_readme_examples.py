"""The README's Python examples stay true: every operator snippet builds its tasks inside a DAG
(templates and constructor checks, no request), and the sandbox pytest example passes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pendulum
import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
#: Fragments, not programs: a pytest module, an ``...`` placeholder, constants to edit.
FRAGMENT_MARKERS = ("def test_", "(...,", "WAREHOUSE_CONN_ID =")


def _operator_blocks() -> list[str]:
    return [b for b in BLOCKS if not any(marker in b for marker in FRAGMENT_MARKERS)]


def test_the_readme_has_its_examples():
    assert len(_operator_blocks()) >= 10
    assert sum("def test_" in block for block in BLOCKS) == 1


@pytest.mark.parametrize("block", _operator_blocks(), ids=lambda b: b.split("import")[-1][:40])
def test_every_operator_example_builds_its_tasks(block):
    from airflow.sdk import DAG

    with DAG("readme", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC")) as dag:
        exec(block, {})

    assert dag.task_ids


def test_the_sandbox_pytest_example_passes(tmp_path):
    (test_file,) = [b for b in BLOCKS if "def test_" in b]
    (tmp_path / "test_readme_sandbox.py").write_text(test_file)

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-rA",  # show what a passing test logged
            # The project's settings (warnings as errors, with its narrow exceptions).
            "-c",
            str(README.parent / "pyproject.toml"),
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_readme_sandbox.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 passed" in done.stdout
    # What it logs is explained next to it in the README (Airflow's safeguard warning).
    warning = "CloseCreateCallOperator.execute cannot be called outside of the Task Runner!"
    assert warning in done.stdout
    assert f"`{warning}`" in " ".join(README.read_text().split())
