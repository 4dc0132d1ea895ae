#!/usr/bin/env python3
"""The project's two set-up commands, runnable on a fresh machine that has only Python.

    python3 tools/dev.py demo    # install, start the sandbox, run the example pipelines, summarise
    python3 tools/dev.py test    # install, then ruff, mypy and the suite on each supported Airflow

Everything after ``demo`` goes to ``tools/demo.py`` (``demo --help`` lists its options:
``--keep``, ``--verbose``, ``--json PATH``, ``--sandbox-url URL --api-key KEY``).

Each Airflow version under test gets its own virtualenv under ``.venv`` / ``.venv-airflow-*``,
rebuilt only when ``pyproject.toml`` or the pinned version changes. ``test`` runs the versions
side by side (install, then lint on the newest, then the suite), each output line prefixed with
its version, and prints each half's wall time; ``--serial`` runs them one after another.
Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import threading
import time
import venv
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Env:
    """One virtualenv: where it lives and which Airflow it pins."""

    name: str
    path: Path
    airflow: str
    lint: bool  # ruff and mypy run once, on the newest Airflow


NEWEST = Env("airflow-3.3", ROOT / ".venv", "apache-airflow>=3.3.2,<3.4", lint=True)
FLOOR = Env("airflow-3.1", ROOT / ".venv-airflow-3.1", "apache-airflow==3.1.8", lint=False)
ENVS = {"newest": NEWEST, "floor": FLOOR}


_PRINT_LOCK = threading.Lock()


def _say(text: str, prefix: str = "") -> None:
    """Print one line whole (the concurrent halves never interleave within a line)."""
    with _PRINT_LOCK:
        print(f"{prefix}{text}", flush=True)


def _run(cmd: list[str], prefix: str = "", **kwargs: object) -> int:
    """Run ``cmd`` in the project root; with a ``prefix``, stream its output line by line."""
    _say(f"$ {' '.join(cmd)}", prefix)
    if not prefix:
        return subprocess.call(cmd, cwd=ROOT, **kwargs)  # type: ignore[arg-type]
    with subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        bufsize=1,
        **kwargs,  # type: ignore[call-overload]
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            _say(line.rstrip("\n"), prefix)
        return int(proc.wait())


def _python(env: Env) -> str:
    return str(env.path / "bin" / "python")


def _stamp(env: Env) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(env.airflow.encode())
    return digest.hexdigest()


def ensure_env(env: Env, prefix: str = "") -> None:
    """Create or refresh ``env`` so it holds the project (editable) and its test tools."""
    stamp_file = env.path / ".installed"
    if stamp_file.exists() and stamp_file.read_text() == _stamp(env):
        return
    started = time.monotonic()
    _say(f"== installing {env.name} into {env.path.relative_to(ROOT)} (about a minute)", prefix)
    if not (env.path / "bin" / "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(env.path)
    pip = [_python(env), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if _run([*pip, "--upgrade", "pip"], prefix) or _run(
        [*pip, env.airflow, "-e", ".[test,dev,bench]"], prefix
    ):
        raise SystemExit(f"installing {env.name} failed")
    stamp_file.write_text(_stamp(env))
    _say(f"== {env.name} ready in {time.monotonic() - started:.0f} s", prefix)


def lint(env: Env, prefix: str = "") -> int:
    """Run ruff (lint + format check) and mypy --strict on the package."""
    failed = _run([_python(env), "-m", "ruff", "check", "."], prefix)
    failed |= _run([_python(env), "-m", "ruff", "format", "--check", "."], prefix)
    failed |= _run([_python(env), "-m", "mypy"], prefix)
    return failed


def pytest(env: Env, extra: list[str], prefix: str = "") -> int:
    """Run the suite; DeprecationWarning and FutureWarning are errors (pyproject's filterwarnings).

    No ``-W`` here: command-line filters would override the ini's few narrow exceptions.
    """
    return _run([_python(env), "-m", "pytest", *extra], prefix)


@dataclass
class Half:
    """One Airflow version's share of ``test``: what ran, how it ended, how long it took."""

    env: Env
    results: list[tuple[str, int]]
    seconds: float = 0.0


def run_half(half: Half, args: argparse.Namespace, prefix: str) -> None:
    """Install ``half.env``, lint it if it is the linted one, then run the suite on it."""
    started = time.monotonic()
    try:
        ensure_env(half.env, prefix)
        if half.env.lint and not args.no_lint:
            half.results.append((f"lint ({half.env.name})", lint(half.env, prefix)))
        half.results.append(
            (f"pytest ({half.env.name})", pytest(half.env, args.pytest_args, prefix))
        )
    except SystemExit as failed:
        _say(str(failed.code), prefix)
        half.results.append((f"install ({half.env.name})", 1))
    finally:
        half.seconds = time.monotonic() - started


def cmd_test(args: argparse.Namespace) -> int:
    halves = [Half(ENVS[name], []) for name in args.airflow]
    started = time.monotonic()
    if args.serial or len(halves) == 1:
        for half in halves:
            run_half(half, args, "")
    else:
        # 2 cores: the suites are mostly one process each, so side by side they take about as
        # long as the slower one alone (the newest lints first; the floor's suite is longer).
        threads = [
            threading.Thread(target=run_half, args=(half, args, f"[{half.env.name}] "))
            for half in halves
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    print("\n== summary")
    for half in halves:
        for label, code in half.results:
            print(f"  {'ok  ' if code == 0 else 'FAIL'} {label}")
        print(f"       {half.env.name}: {half.seconds:.0f} s")
    print(f"  wall time: {time.monotonic() - started:.0f} s")
    codes = [code for half in halves for _, code in half.results]
    return 1 if any(codes) else 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run ``tools/demo.py`` with every option after ``demo`` (demo.py parses them)."""
    demo = str(ROOT / "tools" / "demo.py")
    if {"-h", "--help"} & set(args.demo_args):  # its options need no virtualenv
        return _run([sys.executable, demo, "--help"])
    ensure_env(NEWEST)
    return _run([_python(NEWEST), demo, *args.demo_args])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    test = sub.add_parser("test", help="install, lint, type-check and run every test")
    test.add_argument(
        "--airflow",
        nargs="+",
        choices=sorted(ENVS),
        default=["newest", "floor"],
        help="which supported Airflow versions to test (default: both)",
    )
    test.add_argument("--no-lint", action="store_true", help="skip ruff and mypy")
    test.add_argument(
        "--serial",
        action="store_true",
        help="run the versions one after another, unprefixed (default: side by side)",
    )
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="passed to pytest after --")
    test.set_defaults(func=cmd_test)
    # demo.py owns its options (--keep, --verbose, --json PATH, --sandbox-url URL --api-key
    # KEY): everything after "demo" is passed through, unparsed ("demo --help" lists them).
    demo = sub.add_parser(
        "demo",
        help="run the example pipelines against a local Close sandbox (demo --help: options)",
        add_help=False,
    )
    demo.set_defaults(func=cmd_demo)
    args, rest = parser.parse_known_args(argv)
    if args.command == "demo":
        args.demo_args = rest
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if getattr(args, "pytest_args", None) and args.pytest_args[0] == "--":
        args.pytest_args = args.pytest_args[1:]
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
