#!/usr/bin/env python3
"""The project's two set-up commands, runnable on a fresh machine that has only Python.

    python3 tools/dev.py demo    # install, start the sandbox, run the example pipelines, summarise
    python3 tools/dev.py test    # install, then ruff, mypy and the suite on each supported Airflow

Everything after ``demo`` goes to ``tools/demo.py`` (``demo --help`` lists its options:
``--keep``, ``--verbose``, ``--json PATH``, ``--sandbox-url URL --api-key KEY``).

Each Airflow version under test gets its own virtualenv under ``.venv`` / ``.venv-airflow-*``,
rebuilt only when ``pyproject.toml`` or the pinned version changes. Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
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


def _run(cmd: list[str], **kwargs: object) -> int:
    print(f"$ {' '.join(cmd)}", flush=True)
    return subprocess.call(cmd, cwd=ROOT, **kwargs)  # type: ignore[arg-type]


def _python(env: Env) -> str:
    return str(env.path / "bin" / "python")


def _stamp(env: Env) -> str:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(env.airflow.encode())
    return digest.hexdigest()


def ensure_env(env: Env) -> None:
    """Create or refresh ``env`` so it holds the project (editable) and its test tools."""
    stamp_file = env.path / ".installed"
    if stamp_file.exists() and stamp_file.read_text() == _stamp(env):
        return
    started = time.monotonic()
    print(
        f"== installing {env.name} into {env.path.relative_to(ROOT)} (about a minute)", flush=True
    )
    if not (env.path / "bin" / "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(env.path)
    pip = [_python(env), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if _run([*pip, "--upgrade", "pip"]) or _run([*pip, env.airflow, "-e", ".[test,dev,bench]"]):
        sys.exit(f"installing {env.name} failed")
    stamp_file.write_text(_stamp(env))
    print(f"== {env.name} ready in {time.monotonic() - started:.0f} s", flush=True)


def lint(env: Env) -> int:
    """Run ruff (lint + format check) and mypy --strict on the package."""
    failed = _run([_python(env), "-m", "ruff", "check", "."])
    failed |= _run([_python(env), "-m", "ruff", "format", "--check", "."])
    failed |= _run([_python(env), "-m", "mypy"])
    return failed


def pytest(env: Env, extra: list[str]) -> int:
    """Run the suite; DeprecationWarning and FutureWarning are errors (pyproject's filterwarnings).

    No ``-W`` here: command-line filters would override the ini's few narrow exceptions.
    """
    return _run([_python(env), "-m", "pytest", *extra])


def cmd_test(args: argparse.Namespace) -> int:
    envs = [ENVS[name] for name in args.airflow]
    results: list[tuple[str, int]] = []
    for env in envs:
        ensure_env(env)
        if env.lint and not args.no_lint:
            results.append((f"lint ({env.name})", lint(env)))
        results.append((f"pytest ({env.name})", pytest(env, args.pytest_args)))
    print("\n== summary")
    for label, code in results:
        print(f"  {'ok  ' if code == 0 else 'FAIL'} {label}")
    return 1 if any(code for _, code in results) else 0


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
