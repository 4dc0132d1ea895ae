"""OpenLineage facets of the data-moving operators (the provider installed; the test extra).

The operators run against the sandbox through the real client; the facets are read the way
the OpenLineage provider reads them: its ``DefaultExtractor`` calls
``get_openlineage_facets_on_start`` before ``execute`` and ``..._on_complete`` after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.providers.openlineage.extractors.base import DefaultExtractor
from airflow.providers.openlineage.extractors.manager import ExtractorManager

from airflow_provider_close.lineage import close_namespace
from airflow_provider_close.operators.bulk import (
    CloseBulkCreateActivitiesOperator,
    CloseUpsertLeadsOperator,
)
from airflow_provider_close.operators.bulk_contacts import CloseUpsertContactsOperator
from airflow_provider_close.operators.bulk_opportunities import CloseUpsertOpportunitiesOperator
from airflow_provider_close.operators.changes import (
    CloseExtractChangesOperator,
    CloseExtractTombstonesOperator,
)
from airflow_provider_close.operators.export import CloseExportOperator
from airflow_provider_close.operators.extract import CloseExtractActivitiesOperator
from airflow_provider_close.operators.reads import CloseListLeadsOperator
from airflow_provider_close.sandbox import CloseSandbox
from tests.conftest import SENTINEL_KEY
from tests.example_dags.postgres_server import postgres_server, unavailable_reason

T0 = datetime(2026, 3, 1, tzinfo=UTC)
INTERVAL = {"data_interval_start": T0, "data_interval_end": T0 + timedelta(days=1)}


class _TaskInstance:
    dag_id = "lineage_dag"
    task_id = "bulk"
    run_id = "manual__1"


def names(datasets: list[Any]) -> list[tuple[str, str]]:
    return [(dataset.namespace, dataset.name) for dataset in datasets]


def facets(operator: Any, *, complete: bool = False) -> Any:
    """Return what the OpenLineage provider's extractor gets from the operator."""
    extractor = ExtractorManager().get_extractor_class(operator)
    assert extractor is DefaultExtractor
    if complete:
        return operator.get_openlineage_facets_on_complete(_TaskInstance())
    return operator.get_openlineage_facets_on_start()


def test_extraction_reads_each_activity_type_of_the_organisation_and_writes_the_file(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    sandbox.state.insert_activity("call", date_created=T0 + timedelta(hours=1))
    target = tmp_path / "out" / "activities.jsonl"
    op = CloseExtractActivitiesOperator(
        task_id="extract", path=str(target), activity_types=["sms", "call"]
    )
    org = close_namespace(sandbox.state.organization_id)

    started = facets(op)
    op.execute(INTERVAL)
    completed = facets(op, complete=True)

    for lineage in (started, completed):
        assert names(lineage.inputs) == [(org, "activity.call"), (org, "activity.sms")]
        assert names(lineage.outputs) == [("file", str(target))]
    me_calls = [r for r in sandbox.requests if r.path.rstrip("/").endswith("/me")]
    assert len(me_calls) == 1  # the organisation is read once per operator, then cached
    assert org.startswith("close://orga_")
    assert SENTINEL_KEY not in repr(started) + repr(completed)


def test_changes_tombstones_and_export_name_their_object_type_and_the_object_store_file(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    org = close_namespace(sandbox.state.organization_id)
    url = "s3://lake/close/{}.jsonl"
    cases = [
        (CloseExtractChangesOperator(task_id="c", path=url.format("c"), object_type="lead"), "c"),
        (
            CloseExtractTombstonesOperator(
                task_id="t", path=url.format("t"), object_type="activity.call"
            ),
            "t",
        ),
        (CloseExportOperator(task_id="e", path=url.format("e"), object_type="opportunity"), "e"),
    ]
    expected = {"c": "lead", "t": "activity.call", "e": "opportunity"}
    for op, key in cases:
        lineage = facets(op, complete=True)
        assert names(lineage.inputs) == [(org, expected[key])]
        assert names(lineage.outputs) == [("s3://lake", f"close/{key}.jsonl")]


def test_list_to_a_file_writes_it_and_a_list_to_xcom_writes_no_dataset(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    org = close_namespace(sandbox.state.organization_id)
    target = tmp_path / "leads.jsonl"
    to_file = CloseListLeadsOperator(task_id="to_file", output_path=f"file://{target}")
    to_xcom = CloseListLeadsOperator(task_id="to_xcom")

    assert names(facets(to_file).inputs) == [(org, "lead")]
    assert names(facets(to_file).outputs) == [("file", str(target))]
    assert names(facets(to_xcom).inputs) == [(org, "lead")]
    assert facets(to_xcom).outputs == []


@pytest.mark.integration
def test_bulk_upsert_reads_the_warehouse_tables_through_common_sql_and_writes_leads(
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(f"no PostgreSQL for the SQL lineage test: {reason}")
    org = close_namespace(sandbox.state.organization_id)
    result = tmp_path / "results.jsonl"
    with postgres_server() as server:
        warehouse = {"conn_type": "postgres", "host": "127.0.0.1", "port": server.port}
        conn = {**warehouse, "login": server.user, "schema": "postgres"}
        monkeypatch.setenv("AIRFLOW_CONN_DWH", json.dumps(conn))
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        PostgresHook(postgres_conn_id="dwh").run(
            [
                "CREATE SCHEMA crm",
                "CREATE TABLE crm.accounts (id int, name text)",
                "CREATE TABLE crm.contacts (account int, email text)",
                "INSERT INTO crm.accounts VALUES (1, 'Acme')",
                "INSERT INTO crm.contacts VALUES (1, 'ops@acme.example')",
            ]
        )
        op = CloseUpsertLeadsOperator(
            task_id="bulk",
            sql="SELECT a.name, c.email FROM crm.accounts a JOIN crm.contacts c"
            " ON c.account = a.id",
            sql_conn_id="dwh",
            mapping={"name": "name"},
            match_key="name",
            result_path=str(result),
        )
        summary = op.execute({"ti": _TaskInstance()})
        lineage = facets(op, complete=True)
    assert summary["counts"]["created"] == 1

    authority = f"postgres://127.0.0.1:{server.port}"
    inputs = {(ds.namespace, ds.name): ds for ds in lineage.inputs}
    assert sorted(inputs) == [
        (authority, "postgres.crm.accounts"),
        (authority, "postgres.crm.contacts"),
    ]
    schema = inputs[(authority, "postgres.crm.accounts")].facets["schema"]
    assert [(field.name, field.type) for field in schema.fields] == [
        ("id", "int4"),
        ("name", "text"),
    ]
    assert names(lineage.outputs) == [(org, "lead"), ("file", str(result))]


def test_bulk_inputs_files_default_result_path_and_dry_run(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    org = close_namespace(sandbox.state.organization_id)
    calls = CloseBulkCreateActivitiesOperator(
        task_id="bulk", kind="call", file="s3://lake/in/calls.jsonl"
    )
    tasks = CloseBulkCreateActivitiesOperator(task_id="bulk", kind="task", rows=[])
    plan = CloseUpsertLeadsOperator(
        task_id="bulk", rows=[], mapping={"name": "name"}, match_key="name", dry_run=True
    )

    lineage = facets(calls, complete=True)
    assert names(lineage.inputs) == [("s3://lake", "in/calls.jsonl")]
    outputs = names(lineage.outputs)
    assert outputs[0] == (org, "activity.call")
    assert outputs[1][0] == "file"
    assert outputs[1][1].endswith("/close/bulk/lineage_dag/bulk/manual__1.jsonl")
    assert names(facets(calls).outputs) == [(org, "activity.call")]  # no result path yet
    assert names(facets(tasks).outputs) == [(org, "task")]
    assert names(facets(plan).outputs) == []  # a dry run writes nothing to Close
    contacts = CloseUpsertContactsOperator(
        task_id="bulk",
        rows=[],
        mapping={"emails": ["email"]},
        match_key="email",
        lead_mapping={"name": "company"},
        lead_match_key="name",
    )
    opportunities = CloseUpsertOpportunitiesOperator(
        task_id="bulk",
        rows=[],
        mapping={"value": "value"},
        match_key="note",
        lead_match_key="name",
        lead_key_column="company",
    )
    assert names(facets(contacts).outputs) == [(org, "contact"), (org, "lead")]
    assert names(facets(opportunities).outputs) == [(org, "opportunity")]


def test_sqlite_gives_common_sql_no_database_info_so_no_table(
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_LITE", json.dumps({"conn_type": "sqlite", "host": str(tmp_path / "w.db")})
    )
    op = CloseUpsertLeadsOperator(
        task_id="bulk",
        sql="select * from accounts",
        sql_conn_id="lite",
        mapping={"name": "name"},
        match_key="name",
    )
    lineage = facets(op)
    assert lineage.inputs == []
    assert names(lineage.outputs) == [(close_namespace(sandbox.state.organization_id), "lead")]


def test_an_unreadable_organisation_leaves_the_close_dataset_out_and_fails_nothing(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    close_conn(password="sk_wrong_key")
    op = CloseExtractChangesOperator(
        task_id="c", path=str(tmp_path / "c.jsonl"), object_type="contact"
    )
    lineage = facets(op)
    assert lineage.inputs == []
    assert names(lineage.outputs) == [("file", str(tmp_path / "c.jsonl"))]
    assert "sk_wrong_key" not in repr(lineage)
