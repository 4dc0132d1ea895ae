"""Whole-DAG-file parse time, the way the DAG processor pays it, against a one-task DAG.

Each sample is one fresh interpreter that first imports ``DagBag`` (the DAG processor holds it
before it parses anything) and then times ``DagBag(<one file>)``: the file's imports, its
operator constructors and the DAG's checks. The provider DAG uses the write operators, the
bulk operators and the sensor (issue 17's budget: at most 50 ms over what the SDK costs); the
baseline is a one-task DAG with ``EmptyOperator``. Samples of the two files are interleaved,
so both see the same machine load; the table shows medians over ``runs``.

    python benchmarks/bench_dag_parse.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_import import precompile_package

ONE_TASK_DAG = """\
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG("one_task", schedule=None):
    EmptyOperator(task_id="only")
"""

PROVIDER_DAG = """\
from airflow.sdk import DAG

from airflow_provider_close.operators.activities import (
    CloseCreateCallOperator,
    CloseCreateSmsOperator,
)
from airflow_provider_close.operators.bulk import (
    CloseBulkCreateActivitiesOperator,
    CloseUpsertLeadsOperator,
)
from airflow_provider_close.operators.contacts import CloseCreateContactOperator
from airflow_provider_close.operators.deletions import CloseDeleteLeadOperator
from airflow_provider_close.operators.emails import CloseCreateEmailOperator
from airflow_provider_close.operators.leads import CloseCreateLeadOperator, CloseUpdateLeadOperator
from airflow_provider_close.operators.notes import CloseCreateNoteOperator
from airflow_provider_close.operators.opportunities import CloseCreateOpportunityOperator
from airflow_provider_close.operators.tasks import CloseCreateTaskOperator
from airflow_provider_close.sensors.new_activity import CloseNewActivitySensor

LEAD = "lead_0123456789abcdefghijklmnopqrstuvwxyzABCDEF"
with DAG("close_writes_bulk_sensor", schedule=None):
    wait = CloseNewActivitySensor(task_id="wait", activity_types=["call"], deferrable=True)
    lead = CloseCreateLeadOperator(task_id="lead", name="Acme", if_exists="skip")
    update = CloseUpdateLeadOperator(task_id="update", lead_id=LEAD, name="Acme Inc")
    contact = CloseCreateContactOperator(task_id="contact", lead_id=LEAD, name="Ann")
    opportunity = CloseCreateOpportunityOperator(task_id="opportunity", lead_id=LEAD)
    task = CloseCreateTaskOperator(task_id="task", lead_id=LEAD, text="Call back")
    call = CloseCreateCallOperator(task_id="call", lead_id=LEAD, direction="outbound")
    sms = CloseCreateSmsOperator(
        task_id="sms", lead_id=LEAD, mode="log", remote_phone="+15555550100", text="hi"
    )
    note = CloseCreateNoteOperator(task_id="note", lead_id=LEAD, note="met")
    email = CloseCreateEmailOperator(
        task_id="email", lead_id=LEAD, mode="log", to=["ann@example.com"], subject="hi"
    )
    delete = CloseDeleteLeadOperator(task_id="delete", lead_id=LEAD)
    upsert = CloseUpsertLeadsOperator(
        task_id="upsert", rows=[], mapping={"name": "name"}, match_key="name"
    )
    activities = CloseBulkCreateActivitiesOperator(task_id="activities", rows=[], kind="call")
    wait >> [lead, update, contact, opportunity, task, call, sms, note, email, delete]
    lead >> [upsert, activities]
"""

#: What the DAG processor has imported before it parses a file (baseline of every parse).
_PARSER = """\
import sys, time
try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 3.1
    from airflow.models.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(sys.argv[1], safe_mode=False)  # examples off by AIRFLOW__CORE__LOAD_EXAMPLES
elapsed = time.perf_counter() - started
assert not bag.import_errors and len(bag.dags) == 1, (bag.import_errors, list(bag.dags))
print(elapsed * 1000)
"""


def _parse_ms(path: Path, home: str) -> float:
    env = {**os.environ, "AIRFLOW_HOME": home, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    result = subprocess.run(
        [sys.executable, "-c", _PARSER, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return float(result.stdout.split()[-1])


def run(runs: int = 7) -> list[dict[str, object]]:
    """Return the median parse time of the one-task DAG and of the provider DAG (ms)."""
    precompile_package()
    with tempfile.TemporaryDirectory() as home:
        files = {"one-task DAG": ONE_TASK_DAG, "writes + bulk + sensor DAG": PROVIDER_DAG}
        paths = {}
        for index, (name, text) in enumerate(files.items()):
            paths[name] = Path(home, f"dag_{index}.py")
            paths[name].write_text(text)
        samples: dict[str, list[float]] = {name: [] for name in files}
        for _ in range(runs):  # interleaved: both files see the same machine load
            for name, path in paths.items():
                samples[name].append(_parse_ms(path, home))
    baseline = statistics.median(samples["one-task DAG"])
    return [
        {
            "DAG file (DagBag of one file)": name,
            "parse ms (median)": statistics.median(values),
            "parse max ms": max(values),
            "added ms over one-task": statistics.median(values) - baseline,
        }
        for name, values in samples.items()
    ]


if __name__ == "__main__":
    from table import format_table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    print(format_table(run(parser.parse_args().runs)))
