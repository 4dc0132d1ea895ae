"""example_close_warehouse_mirror converges: after random creates, updates, merges and deletes
over several days, with days run late, out of order and again, the warehouse tables equal what
Close holds. On SQLite (the demo) and on a real PostgreSQL (its merge dialect)."""

from __future__ import annotations

import importlib.util
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from airflow_provider_close.client import CloseClient
from airflow_provider_close.operators.changes import (
    CloseExtractChangesOperator,
    CloseExtractTombstonesOperator,
)
from airflow_provider_close.sandbox import CloseSandbox
from tests.example_dags.conftest import EXAMPLE_DAGS
from tests.example_dags.postgres_server import postgres_server, unavailable_reason

DAY = timedelta(days=1)
FIRST_DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - 6 * DAY
DAYS = 3


@pytest.fixture(scope="module")
def mirror() -> ModuleType:
    path = EXAMPLE_DAGS / "example_close_warehouse_mirror.py"
    spec = importlib.util.spec_from_file_location("example_close_warehouse_mirror", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Workload:
    """Random Close activity, one day at a time, through the real client."""

    def __init__(self, api: CloseClient, sandbox: CloseSandbox, seed: int) -> None:
        self.api, self.sandbox, self.rng = api, sandbox, random.Random(seed)
        self.leads: list[str] = []

    def _lead(self) -> str:
        return self.rng.choice(self.leads)

    def _children(self, path: str) -> list[str]:
        return [item["id"] for item in self.api.iter_items(path)]

    def step(self) -> None:
        self.sandbox.clock.advance(self.rng.randint(1, 900))
        kind = self.rng.choice(
            ["lead"] * 3 + ["edit"] * 3 + ["contact", "opp", "note", "call", "merge", "delete"]
        )
        if kind == "lead" or len(self.leads) < 3:
            body = {"name": f"L{len(self.leads)}", "contacts": [{"name": "c"}]}
            self.leads.append(self.api.post("lead/", body)["id"])
        elif kind == "edit":
            target = self.rng.choice(["lead", "contact/", "opportunity/", "activity/note/"])
            if target == "lead":
                self.api.put(f"lead/{self._lead()}/", {"description": str(self.rng.random())})
                return
            ids = self._children(target)
            if ids:
                field = {"contact/": "title", "opportunity/": "note", "activity/note/": "note"}
                self.api.put(f"{target}{self.rng.choice(ids)}/", {field[target]: "edited"})
        elif kind == "contact":
            self.api.post("contact/", {"lead_id": self._lead(), "name": "extra"})
        elif kind == "opp":
            self.api.post("opportunity/", {"lead_id": self._lead(), "value": 100})
        elif kind in ("note", "call"):
            self.api.post(f"activity/{kind}/", {"lead_id": self._lead(), "note": "n"})
        elif kind == "merge":
            source, destination = self.rng.sample(self.leads, 2)
            self.api.post("lead/merge/", {"source": source, "destination": destination})
            self.leads.remove(source)
        else:
            lead = self._lead()
            self.api.delete(f"lead/{lead}/")
            self.leads.remove(lead)


def run_interval(mirror: ModuleType, conn_id: str, day: int, out: Path) -> None:
    """What one DAG run does, task by task (the DAG wiring itself is run by dag.test below)."""
    start = FIRST_DAY + day * DAY
    context: Any = {"data_interval_start": start, "data_interval_end": start + DAY}
    for object_type in mirror.TABLES:
        slug = f"{day}-{object_type}"
        changes = CloseExtractChangesOperator(
            task_id="c", object_type=object_type, path=str(out / f"changes-{slug}.jsonl")
        ).execute(context)
        deleted = CloseExtractTombstonesOperator(
            task_id="d", object_type=object_type, path=str(out / f"deleted-{slug}.jsonl")
        ).execute(context)
        mirror.merge_into_warehouse(conn_id, object_type, dict(changes), dict(deleted))


def close_state(mirror: ModuleType, api: CloseClient) -> dict[str, dict[str, Any]]:
    """What the tables must hold: Close's objects as it returns them (leads without children)."""
    expected: dict[str, dict[str, Any]] = {}
    for object_type, table in mirror.TABLES.items():
        path = "lead/" if object_type == "lead" else f"{object_type.replace('.', '/')}/"
        dropped = mirror.EMBEDDED.get(object_type, ())
        expected[table] = {
            obj["id"]: {k: v for k, v in obj.items() if k not in dropped}
            for obj in api.iter_items(path)
        }
    return expected


def warehouse_state(mirror: ModuleType, conn_id: str) -> dict[str, dict[str, Any]]:
    from airflow.sdk import BaseHook

    hook = BaseHook.get_connection(conn_id).get_hook()
    return {
        table: {
            row[0]: json.loads(row[1]) for row in hook.get_records(f"SELECT id, data FROM {table}")
        }
        for table in mirror.TABLES.values()
    }


def converge(
    mirror: ModuleType, sandbox: CloseSandbox, api: CloseClient, conn_id: str, out: Path
) -> None:
    workload = Workload(api, sandbox, seed=12)
    late = 1  # this day is first run only at the end, after later days changed its objects
    for day in range(DAYS):
        sandbox.clock.set(FIRST_DAY + day * DAY + timedelta(hours=1))
        for _ in range(18):
            workload.step()
        sandbox.clock.set(FIRST_DAY + (day + 1) * DAY + timedelta(minutes=30))
        if day != late:
            run_interval(mirror, conn_id, day, out)
    run_interval(mirror, conn_id, late, out)
    order = list(range(DAYS))
    random.Random(3).shuffle(order)
    for day in order:  # every day again, in any order: nothing changes
        run_interval(mirror, conn_id, day, out)
    expected = close_state(mirror, api)
    assert sum(len(rows) for rows in expected.values()) > 15  # the workload did something
    assert any(a["_type"] == "LeadMerge" for a in sandbox.state.activities.values())
    assert warehouse_state(mirror, conn_id) == expected


@pytest.mark.integration
@pytest.mark.usefixtures("close_conn", "warehouse")
def test_mirror_converges_on_sqlite(
    mirror: ModuleType, sandbox: CloseSandbox, api: CloseClient, tmp_path: Path
) -> None:
    converge(mirror, sandbox, api, mirror.WAREHOUSE_CONN_ID, tmp_path / "files")


@pytest.fixture
def postgres_conn(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"no PostgreSQL for the mirror test: {reason}")
    with postgres_server() as server:
        conn = {
            "conn_type": "postgres",
            "host": "127.0.0.1",
            "port": server.port,
            "login": server.user,
            "schema": "postgres",
        }
        monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE_PG", json.dumps(conn))
        yield "warehouse_pg"


@pytest.mark.integration
@pytest.mark.usefixtures("close_conn")
def test_mirror_converges_on_postgresql(
    mirror: ModuleType, sandbox: CloseSandbox, api: CloseClient, postgres_conn: str, tmp_path: Path
) -> None:
    converge(mirror, sandbox, api, postgres_conn, tmp_path / "files")


@pytest.fixture
def mirror_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AIRFLOW_VAR_CLOSE_MIRROR_DIR", str(tmp_path / "mirror"))
    return tmp_path / "mirror"


@pytest.mark.integration
@pytest.mark.usefixtures("mirror_dir")
def test_mirror_dag_runs_one_day(
    run_example: Callable[..., Any], sandbox: CloseSandbox, api: CloseClient, warehouse: Path
) -> None:
    day = FIRST_DAY + DAY
    sandbox.clock.set(day + timedelta(hours=2))
    lead = api.post("lead/", {"name": "mirrored", "contacts": [{"name": "c"}]})
    gone = api.post("lead/", {"name": "deleted"})
    api.delete(f"lead/{gone['id']}/")
    sandbox.clock.set(day + DAY + timedelta(hours=1))

    run = run_example("example_close_warehouse_mirror", logical_date=day + DAY)

    assert run.state == "success"
    import sqlite3

    with sqlite3.connect(warehouse) as db:
        leads = db.execute("SELECT id FROM close_leads").fetchall()
        deleted = db.execute("SELECT id, object_type FROM close_deleted").fetchall()
        contacts = db.execute("SELECT id FROM close_contacts").fetchall()
    assert leads == [(lead["id"],)]
    assert contacts == [(lead["contacts"][0]["id"],)]
    assert deleted == [(gone["id"], "lead")]
