"""The sandbox CLI: starts fast, answers with its key, stops cleanly on SIGINT."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from airflow_provider_close.sandbox import Fault
from airflow_provider_close.sandbox.__main__ import _argument_parser, sandbox_from_args

ROOT = Path(__file__).resolve().parents[2]
EXPORT = re.compile(r"^export AIRFLOW_CONN_CLOSE_DEFAULT='(?P<conn>.+)'$")


def read_banner(process: subprocess.Popen[str], deadline: float) -> list[str]:
    """Return the banner lines printed before "Press Ctrl-C", failing after ``deadline``."""
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    banner: list[str] = []
    while not banner or not banner[-1].startswith("Press Ctrl-C"):
        try:
            banner.append(lines.get(timeout=max(deadline - time.monotonic(), 0.01)).rstrip("\n"))
        except queue.Empty:
            pytest.fail(f"no banner in time; got {banner!r}")
    return banner


@pytest.fixture
def cli() -> Iterator[tuple[subprocess.Popen[str], list[str], float]]:
    began = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "airflow_provider_close.sandbox",
            "--port",
            "0",
            "--seed",
            "demo",
            "--rate-limit",
            "me:read=2/30",
            "--fault",
            "server_error:path=/lead/*,times=1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines = read_banner(process, began + 10)
        yield process, lines, time.monotonic() - began
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_cli_serves_the_api_and_stops_on_sigint(
    cli: tuple[subprocess.Popen[str], list[str], float],
) -> None:
    process, lines, startup = cli
    assert startup < 3.0
    conn = json.loads(next(m for m in map(EXPORT.match, lines) if m)["conn"])
    assert conn["conn_type"] == "close"
    me = httpx.get(conn["host"] + "/api/v1/me/", auth=(conn["password"], ""))
    assert me.status_code == 200
    assert me.json()["id"].startswith("user_")
    assert "RateLimit" in me.headers
    assert httpx.get(conn["host"] + "/api/v1/me/").status_code == 401
    assert httpx.get(conn["host"] + "/api/v1/lead/", auth=(conn["password"], "")).status_code == 500
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=5) == 0


def test_cli_arguments_configure_the_sandbox() -> None:
    args = _argument_parser().parse_args(
        [
            "--port",
            "0",
            "--api-key",
            "k",
            "--extra-api-key",
            "k2",
            "--rate-limit",
            "20/1",
            "--rate-limit",
            "lead:write=5/1",
            "--rate-limit-body",
            "none",
            "--latency-ms",
            "7",
            "--fault",
            "drop_after:method=POST,times=1",
            "--max-skip",
            "activity=500",
            "--max-limit",
            "lead=50",
            "--search-lag",
            "45",
        ]
    )
    sandbox = sandbox_from_args(args)
    assert sandbox.api_key == "k"
    assert sandbox.credentials.is_api_key("k2")
    assert sandbox.rate_limits == {"default": (20, 1.0), "lead:write": (5, 1.0)}
    assert sandbox.latency_ms == 7
    fault = Fault("drop_after", method="POST", times=1)
    assert sandbox.faults == [{**fault.to_json(), "seen": 0, "fired": 0}]
    assert sandbox.state.limits.max_skip["activity"] == 500
    assert sandbox.state.limits.max_limit["lead"] == 50
    assert sandbox.search_lag == 45.0


def test_cli_rejects_bad_specs(capsys: pytest.CaptureFixture[str]) -> None:
    from airflow_provider_close.sandbox.__main__ import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--fault", "explode"])
    assert exit_info.value.code == 2
    assert "kind must be one of" in capsys.readouterr().err
