"""Start Python processes running one script (each its own interpreter, so its own client and
throttle) with this checkout first on their path; wait for all and check they succeeded."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_workers(script: str, argvs: Sequence[Sequence[str]], *, timeout: float) -> None:
    """Run ``python -c script *argv`` for every argv at once; fail on any non-zero exit."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, *argv], env=env, stderr=subprocess.PIPE, text=True
        )
        for argv in argvs
    ]
    for worker in workers:
        _, errors = worker.communicate(timeout=timeout)
        assert worker.returncode == 0, errors
