"""The one-command demo: real example pipelines against a local Close sandbox, then a summary.

Run by ``python3 tools/dev.py demo`` inside the project virtualenv (or directly with
``.venv/bin/python tools/demo.py``). On a fresh machine it:

1. makes a temporary ``AIRFLOW_HOME`` (SQLite metadata DB, ``dags_folder`` = ``example_dags/``)
   and runs ``airflow db migrate``;
2. starts the Close sandbox with its demo organisation (20 leads with "External ID" and "Lead
   Score" custom fields, contacts, two weeks of activities), unless ``--sandbox-url`` names a
   running one;
3. creates a SQLite "warehouse" with a ``lead_scores`` table: some rows for leads already in
   Close (new scores), some for new accounts;
4. runs ``example_close_warehouse_to_close``, ``example_close_extract_activities`` and
   ``example_close_warehouse_mirror`` (both for yesterday, UTC) with ``dag.test()``;
5. reads Close back through its API and prints what changed: leads created and updated,
   tasks created, activities extracted and where the file is, and the rows the mirror wrote
   into the warehouse's ``close_*`` tables.

Your own Airflow is never touched: every ``AIRFLOW_*`` variable of the calling shell (home,
metadata DB, connections) is ignored. Nothing is left running; the temporary directory is
deleted unless ``--keep``. The exit code
is non-zero when a DAG run fails. ``--json PATH`` also writes the summary as JSON.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_DAGS = ROOT / "example_dags"
WAREHOUSE_DAG = "example_close_warehouse_to_close"
EXTRACT_DAG = "example_close_extract_activities"
MIRROR_DAG = "example_close_warehouse_mirror"
HIGH_SCORE = 80
#: New accounts in the demo warehouse: (external id, company, contact, score).
NEW_ACCOUNTS = (
    ("WH-2001", "Bluth Company", "Michael Bluth", 91),
    ("WH-2002", "Dunder Mifflin", "Pam Beesly", 64),
    ("WH-2003", "Prestige Worldwide", "Brennan Huff", 35),
    ("WH-2004", "Los Pollos Hermanos", "Gus Fring", 88),
)
#: New scores for the first seeded leads: two rise above the threshold, one stays as is.
NEW_SCORES = (95, 84, None)


def build_parser() -> argparse.ArgumentParser:
    """Return the command line parser (``python3 tools/dev.py demo --help`` prints it)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", metavar="PATH", help="also write the summary as JSON here")
    parser.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    parser.add_argument(
        "--sandbox-url",
        metavar="URL",
        help="use this running sandbox (seeded with demo) instead of one's own",
    )
    parser.add_argument("--api-key", metavar="KEY", help="the API key of --sandbox-url")
    return parser


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the command line options."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if bool(args.sandbox_url) != bool(args.api_key):
        parser.error("--sandbox-url and --api-key go together")
    return args


def step(message: str) -> None:
    """Print a step header."""
    print(f"\n== {message}", flush=True)


# --- Airflow environment --------------------------------------------------------------------
def airflow_environment(work: Path, verbose: bool) -> dict[str, str]:
    """Return the environment variables of the demo's Airflow (set before importing it)."""
    return {
        "AIRFLOW_HOME": str(work / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(EXAMPLE_DAGS),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO" if verbose else "WARNING",
        "AIRFLOW_CONN_WAREHOUSE_SQLITE": json.dumps(
            {"conn_type": "sqlite", "host": str(work / "warehouse.db")}
        ),
        "AIRFLOW_VAR_CLOSE_RESULTS_DIR": str(work / "results"),
        "AIRFLOW_VAR_CLOSE_EXTRACT_DIR": str(work / "extract"),
    }


def migrate_metadata_db() -> None:
    """Create the Airflow metadata DB (``airflow db migrate``, a few seconds)."""
    airflow = Path(sys.executable).with_name("airflow")
    done = subprocess.run(
        [str(airflow), "db", "migrate"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"airflow db migrate failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def close_sandbox(url: str | None, api_key: str | None) -> Iterator[tuple[str, str]]:
    """Yield ``(url, api_key)`` of a sandbox: the given one, or one started (and stopped) here."""
    if url and api_key:
        yield url, api_key
        return
    from airflow_provider_close.sandbox import CloseSandbox

    with CloseSandbox(seed="demo") as sandbox:
        yield sandbox.url, sandbox.api_key


def run_dag(dag_id: str, **test_kwargs: Any) -> str:
    """Import ``example_dags/<dag_id>.py``, run it with ``dag.test()``; return the run state."""
    spec = importlib.util.spec_from_file_location(dag_id, EXAMPLE_DAGS / f"{dag_id}.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {dag_id} from {EXAMPLE_DAGS}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    started = time.monotonic()
    run = module.dag.test(**test_kwargs)
    state = str(run.state)
    print(f"{dag_id}: {state} in {time.monotonic() - started:.1f} s", flush=True)
    return state


# --- Close, read back through its API -------------------------------------------------------
class CloseReader:
    """Reads the demo organisation through the Close API (the same client the provider uses)."""

    def __init__(self, url: str, api_key: str) -> None:
        from airflow_provider_close.client import CloseClient

        self.client = CloseClient(api_key=api_key, base_url=f"{url}/api/v1/")
        fields = self.client.get("custom_field/lead/")["data"]
        ids = {field["name"]: field["id"] for field in fields}
        self.external_id = f"custom.{ids['External ID']}"
        self.score = f"custom.{ids['Lead Score']}"

    def leads(self) -> dict[str, dict[str, Any]]:
        """Return every lead, by id."""
        return {lead["id"]: lead for lead in self.client.iter_items("lead/")}

    def task_ids(self) -> set[str]:
        """Return the ids of every task (all types)."""
        return {task["id"] for task in self.client.iter_items("task/", {"_type": "all"})}

    def tasks(self, ids: set[str]) -> list[dict[str, Any]]:
        """Return the given tasks."""
        return [self.client.get(f"task/{task_id}/") for task_id in sorted(ids)]


# --- the warehouse --------------------------------------------------------------------------
def warehouse_rows(reader: CloseReader, leads: dict[str, dict[str, Any]]) -> list[tuple]:
    """Return the ``lead_scores`` rows: three seeded leads (new scores) and new accounts."""
    seeded = sorted(
        (lead for lead in leads.values() if lead.get(reader.external_id)),
        key=lambda lead: lead[reader.external_id],
    )
    rows = []
    for lead, new_score in zip(seeded, NEW_SCORES, strict=False):
        contact = lead["contacts"][0]
        rows.append(
            (
                lead[reader.external_id],
                lead["name"],
                lead.get("url"),
                contact["name"],
                contact["emails"][0]["email"],
                lead.get(reader.score) if new_score is None else new_score,
            )
        )
    for external_id, company, contact, score in NEW_ACCOUNTS:
        slug = company.lower().replace(" ", "")
        email = f"{contact.split()[0].lower()}@{slug}.example"
        rows.append((external_id, company, f"https://{slug}.example", contact, email, score))
    return rows


def fill_warehouse(path: Path, rows: list[tuple]) -> None:
    """Create the SQLite warehouse with its ``lead_scores`` table."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE lead_scores (external_id TEXT PRIMARY KEY, company TEXT NOT NULL,"
            " website TEXT, contact_name TEXT, contact_email TEXT, score INTEGER NOT NULL)"
        )
        db.executemany("INSERT INTO lead_scores VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.close()


def warehouse_count(path: Path, table: str) -> int:
    """Return the number of rows in a warehouse table (0 if it does not exist)."""
    with sqlite3.connect(path) as db:
        exists = db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone()
        count = db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] if exists else 0
    db.close()
    return int(count)


def edit_yesterday(
    url: str, reader: CloseReader, seeded_leads: dict[str, dict[str, Any]], day: datetime
) -> dict[str, Any]:
    """Make yesterday's history for the mirror: an edit, a note, a merge and a delete.

    The sandbox's clock is set to ``day`` noon through its control API for the writes and
    then back to real time, so the changes and events fall in yesterday's interval. The last
    three of ``seeded_leads`` (by external id; the warehouse touches only the first ones) are
    used.
    """
    import httpx

    seeded = sorted(
        (lead for lead in seeded_leads.values() if lead.get(reader.external_id)),
        key=lambda lead: lead[reader.external_id],
    )
    kept, merged, deleted = (lead["id"] for lead in seeded[-3:])
    client = reader.client

    def clock(body: dict[str, Any]) -> None:
        httpx.post(f"{url}/_sandbox/clock", json=body, timeout=10).raise_for_status()

    clock({"set": (day + timedelta(hours=12)).isoformat()})
    try:
        client.put(f"lead/{kept}/", {"description": "Edited yesterday (mirror demo)"})
        clock({"advance": 60})
        client.post("activity/note/", {"lead_id": kept, "note": "Called back (mirror demo)"})
        clock({"advance": 60})
        client.post("lead/merge/", {"source": merged, "destination": kept})
        clock({"advance": 60})
        client.delete(f"lead/{deleted}/")
    finally:
        clock({"reset": True})
    return {"edited": kept, "merged": merged, "deleted": deleted}


def mirror_tables(path: Path) -> dict[str, dict[str, Any]]:
    """Return the mirror's tables: per ``close_*`` table its row count and first ids."""
    tables: dict[str, dict[str, Any]] = {}
    with sqlite3.connect(path) as db:
        names = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'close_%' "
            "AND name != 'close_activities' ORDER BY name"
        ).fetchall()
        for (name,) in names:
            key = "deleted_at" if name == "close_deleted" else "date_updated"
            ids = [row[0] for row in db.execute(f"SELECT id FROM {name} ORDER BY {key}, id")]
            tables[name] = {"rows": len(ids), "ids": ids}
    db.close()
    return tables


# --- the summary ----------------------------------------------------------------------------
def lead_changes(
    reader: CloseReader,
    before: dict[str, dict[str, Any]],
    after: dict[str, dict[str, Any]],
    warehouse_ids: set[str],
) -> dict[str, list[dict[str, Any]]]:
    """Return the leads created, those whose score changed, and the warehouse's other leads.

    :param warehouse_ids: the external ids in the warehouse table; an existing lead among them
        whose score did not change is ``unchanged`` (the upsert found nothing to write).
    """

    def brief(lead: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": lead["id"],
            "name": lead["name"],
            "external_id": lead.get(reader.external_id),
            "score": lead.get(reader.score),
        }

    created = [brief(lead) for lead_id, lead in after.items() if lead_id not in before]
    created.sort(key=lambda lead: str(lead["external_id"]))
    existing = sorted(
        (lead for lead_id, lead in after.items() if lead_id in before),
        key=lambda lead: str(lead.get(reader.external_id)),
    )
    updated, unchanged = [], []
    for lead in existing:
        score_before = before[lead["id"]].get(reader.score)
        if lead.get(reader.score) != score_before:
            updated.append(brief(lead) | {"score_before": score_before})
        elif lead.get(reader.external_id) in warehouse_ids:
            unchanged.append(brief(lead))
    return {"created": created, "updated": updated, "unchanged": unchanged}


def extracted_file(work: Path, day: datetime) -> dict[str, Any]:
    """Return where the extraction wrote ``day`` and how many lines of each type."""
    path = work / "extract" / "activities" / f"{day:%Y-%m-%d}.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    types = Counter(row["_type"] for row in rows)
    first = {key: rows[0].get(key) for key in ("_type", "id", "lead_id", "date_created")}
    return {
        "path": str(path),
        "rows": len(rows),
        "counts": dict(sorted(types.items())),
        "first": first if rows else None,
    }


def print_summary(summary: dict[str, Any], *, kept: bool) -> None:
    """Print the summary for a human.

    :param summary: what :func:`run_demo` returned.
    :param kept: whether the files outlive the demo (``--keep``).
    """
    step("What happened in Close")
    leads = summary["leads"]
    print(f"Leads created: {len(leads['created'])}")
    for lead in leads["created"]:
        print(f"  + {lead['name']:<22} {lead['external_id']:<9} score {lead['score']}")
    print(f"Leads updated: {len(leads['updated'])}")
    for lead in leads["updated"]:
        print(
            f"  ~ {lead['name']:<22} {lead['external_id']:<9} "
            f"score {lead['score_before']} -> {lead['score']}"
        )
    print(f"Leads unchanged (warehouse score already in Close): {len(leads['unchanged'])}")
    for lead in leads["unchanged"]:
        print(f"  = {lead['name']:<22} {lead['external_id']:<9} score {lead['score']}")
    print(f"Follow-up tasks created (score >= {HIGH_SCORE}): {len(summary['tasks'])}")
    for task in summary["tasks"]:
        print(f"  * {task['lead_name']:<22} {task['text']} (due {task['date']})")
    extract = summary["extract"]
    where = "" if kept else " (removed at exit; --keep keeps it)"
    print(f"Activities extracted for {extract['day']}: {extract['rows']} {extract['counts']}")
    print(f"  file: {extract['path']}{where}")
    if extract["first"]:
        first = extract["first"]
        print(f"  first line: {first['_type']} {first['id']} {first['date_created']}")
    print(f"  loaded into the warehouse table close_activities: {extract['warehouse_rows']} rows")
    mirror = summary["mirror"]
    print(f"Warehouse mirror of {mirror['day']} (changes and deletions, merged by id):")
    for table, content in mirror["tables"].items():
        print(f"  {table:<22} {content['rows']} rows")
    runs = ", ".join(f"{dag_id} {state}" for dag_id, state in summary["runs"].items())
    print(f"DAG runs: {runs}; {summary['seconds']:.0f} s in all")


def run_demo(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Run every step in ``work`` and return the summary."""
    started = time.monotonic()
    # Never touch the caller's Airflow: drop every AIRFLOW_* setting (home, DB, connections).
    for name in [name for name in os.environ if name.startswith("AIRFLOW_")]:
        del os.environ[name]
    os.environ.update(airflow_environment(work, args.verbose))
    # dag.test() builds Airflow's in-process API on starlette's test client, which warns.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    step("Creating the Airflow metadata DB (airflow db migrate)")
    migrate_metadata_db()
    with close_sandbox(args.sandbox_url, args.api_key) as (url, api_key):
        print(f"Close sandbox: {url}/api/v1/")
        os.environ["AIRFLOW_CONN_CLOSE_DEFAULT"] = json.dumps(
            {"conn_type": "close", "host": url, "password": api_key}
        )
        reader = CloseReader(url, api_key)
        leads_before, tasks_before = reader.leads(), reader.task_ids()
        rows = warehouse_rows(reader, leads_before)
        fill_warehouse(work / "warehouse.db", rows)
        print(f"Warehouse: {work / 'warehouse.db'} with {len(rows)} rows in lead_scores")

        step(f"Running {WAREHOUSE_DAG} (upsert scores, follow-up tasks)")
        runs = {WAREHOUSE_DAG: run_dag(WAREHOUSE_DAG)}
        today = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), tzinfo=UTC)
        yesterday = today - timedelta(days=1)
        step("Making yesterday's history in the sandbox (clock set back)")
        edits = edit_yesterday(url, reader, leads_before, yesterday)
        print(
            f"Yesterday in Close: edited lead {edits['edited']}, merged {edits['merged']} into"
            f" it, deleted lead {edits['deleted']}"
        )
        step(f"Running {EXTRACT_DAG} for {yesterday:%Y-%m-%d}")
        # A run at midnight covers the last complete day: yesterday.
        runs[EXTRACT_DAG] = run_dag(EXTRACT_DAG, logical_date=today)
        step(f"Running {MIRROR_DAG} for {yesterday:%Y-%m-%d}")
        runs[MIRROR_DAG] = run_dag(MIRROR_DAG, logical_date=today)

        new_tasks = sorted(
            reader.tasks(reader.task_ids() - tasks_before), key=lambda task: task["lead_name"]
        )
        summary = {
            "runs": runs,
            "leads": lead_changes(reader, leads_before, reader.leads(), {row[0] for row in rows}),
            "tasks": [
                {key: task.get(key) for key in ("id", "lead_id", "lead_name", "text", "date")}
                for task in new_tasks
            ],
            "extract": {"day": f"{yesterday:%Y-%m-%d}"},
            "mirror": {"day": f"{yesterday:%Y-%m-%d}", "edits": edits},
            "warehouse": str(work / "warehouse.db"),
        }
        reader.client.close()
    summary["extract"] |= extracted_file(work, yesterday)
    summary["extract"]["warehouse_rows"] = warehouse_count(
        work / "warehouse.db", "close_activities"
    )
    summary["mirror"]["tables"] = mirror_tables(work / "warehouse.db")
    summary["seconds"] = time.monotonic() - started
    return summary


def main(argv: list[str] | None = None) -> int:
    """Run the demo; return 0 when every DAG run succeeded."""
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="close-demo-"))
    try:
        summary = run_demo(args, work)
        print_summary(summary, kept=args.keep)
        if args.json:
            Path(args.json).write_text(json.dumps(summary, indent=2, sort_keys=True))
    finally:
        if args.keep:
            print(f"\nKept {work} (Airflow home, warehouse.db, result and extract files)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    failed = [dag_id for dag_id, state in summary["runs"].items() if state != "success"]
    if failed:
        print(f"\nFAILED: {', '.join(failed)} (re-run with --verbose for the task logs)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
