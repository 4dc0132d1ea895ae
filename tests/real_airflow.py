"""Run real Airflow processes (scheduler, DAG processor, triggerer, API server) in a test.

Shared by the tests that need Airflow itself, not ``dag.test()``: the event-driven DAG test
and the browser test of the connection form. Everything runs on a temporary ``AIRFLOW_HOME``
(SQLite, LocalExecutor) and on loopback; every process is started in its own session and
killed (its whole process group, by id) when the context manager exits, also on failure.

    with real_airflow(tmp_path, dags_folder=..., env={...}) as af:
        af.start("dag-processor", "scheduler", "triggerer", "api-server")
        af.wait_for(lambda: af.query("select 1 from dag where dag_id = ?", "my_dag"), 60, "parse")
        af.cli("dags", "unpause", "my_dag")

On failure, :meth:`RealAirflow.diagnostics` (appended to every ``wait_for`` timeout) shows
the tail of each process's log.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["RealAirflow", "free_port", "real_airflow"]

T = TypeVar("T")

AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _base_env(home: Path, dags_folder: Path, api_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "AIRFLOW__"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API_AUTH__JWT_SECRET": "real-airflow-test-jwt-secret-0123456789",
            "AIRFLOW__API__SECRET_KEY": "real-airflow-test-secret-key",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            # Fast loops: parse files every 2 s, heartbeat every second.
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "2",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "1",
            "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": "1",
            # A crashed triggerer's triggers move to a new one after this many seconds.
            "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": "5",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    return env


class RealAirflow:
    """One temporary Airflow installation and the processes started on it.

    :param home: the ``AIRFLOW_HOME`` (created by the caller, e.g. pytest's ``tmp_path``).
    :param env: the environment every process gets.
    :param api_port: where ``api-server`` listens.
    """

    def __init__(self, home: Path, env: dict[str, str], api_port: int) -> None:
        self.home = home
        self.env = env
        self.api_port = api_port
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def db_path(self) -> Path:
        """The SQLite metadata database."""
        return self.home / "airflow.db"

    @property
    def api_url(self) -> str:
        """The API server's base URL."""
        return f"http://127.0.0.1:{self.api_port}"

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run ``airflow <args>`` to completion; raise with its output if it fails.

        :param args: e.g. ``("dags", "unpause", "my_dag")``.
        :param timeout: seconds before the command is killed.
        """
        done = subprocess.run(
            [AIRFLOW, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"airflow {' '.join(args)} failed ({done.returncode}):\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def start(self, *components: str) -> None:
        """Start each Airflow component (``scheduler``, ``triggerer``...) in its own session.

        :param components: CLI sub-commands; output goes to ``<home>/<component>.log``.
        """
        for component in components:
            self.start_one(component)

    def start_one(self, component: str, *args: str) -> subprocess.Popen[bytes]:
        """Start ``airflow <component> <args>``; it replaces a stopped one of the same name.

        :param component: the CLI sub-command.
        :param args: extra arguments.
        """
        log = (self.home / f"{component}.log").open("ab")
        process = subprocess.Popen(
            [AIRFLOW, component, *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes[component] = process
        return process

    def stop(self, component: str, *, crash: bool = False) -> None:
        """Stop one component and everything it spawned (its process group, by id).

        :param component: a started component.
        :param crash: SIGKILL at once (a crash), instead of SIGTERM and a grace period.
        """
        self._stop([component], crash=crash)

    def stop_all(self) -> None:
        """Stop every started component (all at once, then wait for them together)."""
        self._stop(list(self.processes), crash=False)

    def _stop(self, components: list[str], *, crash: bool, grace: float = 15.0) -> None:
        processes = [p for p in (self.processes.pop(c, None) for c in components) if p]
        if not crash:
            _signal_groups(processes, signal.SIGTERM)
            deadline = time.monotonic() + grace
            for process in processes:
                with suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        _signal_groups(processes, signal.SIGKILL)  # what is left, children included
        for process in processes:
            process.wait(timeout=10)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Return the rows of a read-only query on the metadata DB ([] if it is not there yet).

        :param sql: SQLite SQL.
        :param params: its parameters.
        """
        if not self.db_path.exists():
            return []
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)
        try:
            return list(conn.execute(sql, params))
        except sqlite3.OperationalError as err:
            if "no such table" in str(err) or "locked" in str(err):
                return []
            raise
        finally:
            conn.close()

    def wait_for(self, check: Callable[[], T], timeout: float, what: str) -> T:
        """Return ``check()``'s first truthy value, polling every 0.5 s.

        :param check: returns something truthy when done.
        :param timeout: seconds before failing with the processes' logs.
        :param what: what is awaited (for the failure message).
        """
        started = time.monotonic()
        deadline = started + timeout
        while True:
            value = check()
            if value:
                print(f"[real_airflow] {what}: {time.monotonic() - started:.1f} s", flush=True)
                return value
            dead = {
                name: p.returncode for name, p in self.processes.items() if p.poll() is not None
            }
            if dead or time.monotonic() > deadline:
                reason = f"exited: {dead}" if dead else f"not within {timeout:.0f} s"
                raise AssertionError(f"waiting for {what}: {reason}\n{self.diagnostics()}")
            time.sleep(0.5)

    def diagnostics(self, lines: int = 40) -> str:
        """Return the last ``lines`` of every component's log."""
        parts = []
        for log in sorted(self.home.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(parts)


def _signal_groups(processes: list[subprocess.Popen[bytes]], sig: signal.Signals) -> None:
    for process in processes:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)  # each was started as its own session leader


@contextmanager
def real_airflow(
    home: Path, *, dags_folder: Path, env: Mapping[str, str] | None = None
) -> Iterator[RealAirflow]:
    """Yield a migrated Airflow on ``home``; stop every process it started on exit.

    :param home: an empty directory for ``AIRFLOW_HOME``.
    :param dags_folder: the dags folder.
    :param env: extra environment (connections ``AIRFLOW_CONN_*``, settings).
    """
    api_port = free_port()
    instance = RealAirflow(
        home, {**_base_env(home, dags_folder, api_port), **(env or {})}, api_port
    )
    try:
        instance.cli("db", "migrate", timeout=300)
        yield instance
    finally:
        instance.stop_all()
