"""``python3 tools/dev.py test`` runs the two Airflow versions side by side: each half installs,
the newest lints, each runs the suite; output lines carry the half's prefix; any failure fails."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def dev(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """tools/dev.py with installing replaced by a no-op and running by a recorder."""
    spec = importlib.util.spec_from_file_location("_tool_dev_test", ROOT / "tools" / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "_tool_dev_test", module)  # dataclasses look it up
    spec.loader.exec_module(module)
    ran: list[tuple[str, str, str]] = []  # (prefix, thread, command)
    monkeypatch.setattr(module, "ensure_env", lambda _env, _prefix="": None)

    def record(cmd: list[str], prefix: str = "", **_kwargs: object) -> int:
        ran.append((prefix, threading.current_thread().name, " ".join(cmd[1:])))
        return int("3.1" in cmd[0] and "pytest" in cmd and "-x" in cmd)

    monkeypatch.setattr(module, "_run", record)
    module.ran = ran  # type: ignore[attr-defined]
    return module


def test_both_halves_run_in_their_own_threads_with_their_prefix(dev, capsys):
    assert dev.main(["test"]) == 0

    by_prefix: dict[str, list[str]] = {}
    threads: dict[str, set[str]] = {}
    for prefix, thread, command in dev.ran:
        by_prefix.setdefault(prefix, []).append(command)
        threads.setdefault(prefix, set()).add(thread)
    assert by_prefix == {
        "[airflow-3.3] ": ["-m ruff check .", "-m ruff format --check .", "-m mypy", "-m pytest"],
        "[airflow-3.1] ": ["-m pytest"],
    }
    (newest,), (floor,) = threads.values()
    assert newest != floor
    assert threading.main_thread().name not in {newest, floor}
    summary = capsys.readouterr().out.split("== summary")[1]
    assert "ok   pytest (airflow-3.1)" in summary
    assert "wall time:" in summary


def test_a_failing_half_fails_the_command(dev, capsys):
    assert dev.main(["test", "--", "-x"]) == 1
    summary = capsys.readouterr().out.split("== summary")[1]
    assert "FAIL pytest (airflow-3.1)" in summary
    assert "ok   pytest (airflow-3.3)" in summary


def test_serial_and_single_version_runs_are_unprefixed_in_this_thread(dev):
    assert dev.main(["test", "--serial"]) == 0
    assert dev.main(["test", "--airflow", "newest", "--no-lint"]) == 0

    assert {(prefix, thread) for prefix, thread, _ in dev.ran} == {
        ("", threading.current_thread().name)
    }
    assert [command for *_, command in dev.ran][-1] == "-m pytest"
    assert len(dev.ran) == 4 + 1 + 1


def test_a_failed_install_fails_its_half_only(dev, monkeypatch, capsys):
    def install(env, _prefix=""):
        if env.name == "airflow-3.1":
            raise SystemExit("installing airflow-3.1 failed")

    monkeypatch.setattr(dev, "ensure_env", install)
    assert dev.main(["test", "--no-lint"]) == 1
    out = capsys.readouterr().out
    assert "[airflow-3.1] installing airflow-3.1 failed" in out
    assert "FAIL install (airflow-3.1)" in out
    assert "ok   pytest (airflow-3.3)" in out


def test_prefixed_output_is_streamed_line_by_line(capsys):
    spec = importlib.util.spec_from_file_location("_tool_dev_run", ROOT / "tools" / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["_tool_dev_run"] = module
    try:
        spec.loader.exec_module(module)
        code = module._run(
            [sys.executable, "-c", "import sys; print('one'); print('two', file=sys.stderr)"],
            "[x] ",
        )
    finally:
        del sys.modules["_tool_dev_run"]
    assert code == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["[x] one", "[x] two"]
