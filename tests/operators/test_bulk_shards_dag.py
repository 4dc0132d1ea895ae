"""The scale-out pattern, run with ``dag.test()``: one upsert mapped over shards of one input.

Three mapped tasks read the same JSONL file; each writes only the rows whose key hashes to
its shard (``shard=(i, n)``), so together they write every row exactly once. See the DAG-file
notes in ``test_operators_dag.py`` (the DAG file must sit in the dags folder).
"""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.operators.dag_files import load_dag_module

DAG_FILE = textwrap.dedent(
    """
    from __future__ import annotations

    import pendulum
    from airflow.sdk import DAG

    from airflow_provider_close.operators.bulk import CloseUpsertLeadsOperator

    SHARDS = 3

    with DAG(
        "close_upsert_shards",
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
    ) as dag:
        CloseUpsertLeadsOperator.partial(
            task_id="upsert",
            file="{input}",
            mapping={{"name": "company", "custom": {{"External ID": "ext"}}}},
            match_key="External ID",
            batch_size=7,
            result_path="{out}/shard-{{{{ ti.map_index }}}}.jsonl",
        ).expand(shard=[[i, SHARDS] for i in range(SHARDS)])
    """
)


@pytest.mark.integration
@pytest.mark.usefixtures("airflow_db", "close_conn")
def test_mapped_shards_write_every_row_once(
    seeded_sandbox: CloseSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [{"company": f"Shard Co {i}", "ext": f"SH-{i}"} for i in range(60)]
    source = tmp_path / "input.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    dags = tmp_path / "dags"
    dags.mkdir()
    source_text = DAG_FILE.format(input=source, out=tmp_path / "out")
    module = load_dag_module(dags, "close_upsert_shards", source_text, monkeypatch)

    run = module.dag.test()

    assert run.state == "success"
    files = sorted((tmp_path / "out").glob("shard-*.jsonl"))
    assert [f.name for f in files] == ["shard-0.jsonl", "shard-1.jsonl", "shard-2.jsonl"]
    per_shard = [[json.loads(line) for line in f.read_text().splitlines()] for f in files]
    assert all(results for results in per_shard)  # every shard had work
    rows_seen = Counter(r["row"] for results in per_shard for r in results)
    assert rows_seen == Counter(range(60))  # every row in exactly one shard's results
    assert {r["action"] for results in per_shard for r in results} == {"created"}
    (cf_id,) = [
        i
        for i, f in seeded_sandbox.state.custom_fields["lead"].items()
        if f["name"] == "External ID"
    ]
    exts = Counter(lead.get(f"custom.{cf_id}") for lead in seeded_sandbox.state.leads.values())
    assert [exts[f"SH-{i}"] for i in range(60)] == [1] * 60  # every lead written once
