"""Every example DAG parses with no network and no connection configured, and
without a deprecation warning (Airflow's own import-time warnings on older versions aside:
only the parse itself is watched).

Airflow 3.3 loads provider example DAGs itself (``load_examples``), so a parse-time request or
connection lookup would break every user's DAG processor. The parse runs in a subprocess with
no ``AIRFLOW_CONN_*`` variable and with sockets disabled, so any I/O at import time fails it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

EXAMPLE_DAGS = Path(__file__).resolve().parents[2] / "example_dags"
EXPECTED = {
    "example_close_activity_follow_up": "example_close_activity_follow_up.py",
    "example_close_activities_landed": "example_close_extract_activities.py",
    "example_close_cleanup_test_calls": "example_close_cleanup_test_calls.py",
    "example_close_event_driven": "example_close_event_driven.py",
    "example_close_extract_activities": "example_close_extract_activities.py",
    "example_close_warehouse_to_close": "example_close_warehouse_to_close.py",
    "example_close_warehouse_mirror": "example_close_warehouse_mirror.py",
}

PARSE = textwrap.dedent(
    """
    import json, socket, sys, warnings

    def no_network(*args, **kwargs):
        raise OSError("network access while parsing an example DAG")

    socket.socket.connect = no_network
    socket.create_connection = no_network
    socket.getaddrinfo = no_network

    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow < 3.1 kept it in airflow.models
        from airflow.models.dagbag import DagBag

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = DagBag(dag_folder=sys.argv[1])
    print(json.dumps({
        "warnings": [
            f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})"
            for w in caught
            if issubclass(w.category, (DeprecationWarning, FutureWarning))
        ],
        "errors": {path: str(error) for path, error in bag.import_errors.items()},
        "dags": {dag_id: dag.fileloc for dag_id, dag in bag.dags.items()},
        "tasks": {dag_id: sorted(dag.task_ids) for dag_id, dag in bag.dags.items()},
    }))
    """
)


def _parse() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW_CONN_")}
    done = subprocess.run(
        [sys.executable, "-c", PARSE, str(EXAMPLE_DAGS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_example_dag_parses_offline_without_connections():
    parsed = _parse()

    assert parsed["errors"] == {}
    assert parsed["warnings"] == []
    assert {dag_id: Path(loc).name for dag_id, loc in parsed["dags"].items()} == EXPECTED
    assert parsed["tasks"]["example_close_warehouse_to_close"] == [
        "create_follow_up_tasks",
        "follow_up_rows",
        "upsert_leads",
    ]
    assert parsed["tasks"]["example_close_cleanup_test_calls"] == [
        "calls_to_delete",
        "delete_call",
        "find_test_calls",
        "list_calls",
    ]


def test_every_example_dag_file_documents_itself():
    for name in EXPECTED.values():
        source = (EXAMPLE_DAGS / name).read_text()
        doc = source.split('"""')[1]
        for section in ("What it does", "How to run it", "What to change for production"):
            assert section in doc, f"{name} lacks a {section!r} section"
