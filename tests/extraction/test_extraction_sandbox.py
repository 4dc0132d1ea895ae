"""The engine over real HTTP against the sandbox: windowed, unwindowed and cursor resources."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from airflow_provider_close.client import CloseClient
from airflow_provider_close.extraction import (
    UnwindowedLimitError,
    WalkStats,
    extract_to_stream,
    iter_extract,
    resource_spec,
)
from airflow_provider_close.sandbox import CloseSandbox

T0 = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def client(sandbox: CloseSandbox) -> Iterator[CloseClient]:
    with CloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as made:
        yield made


def test_tasks_created_at_controlled_times_are_windowed_exactly(
    sandbox: CloseSandbox, client: CloseClient
) -> None:
    lead = client.post("lead/", json={"name": "Acme"})
    sandbox.set_limits(max_skip={"task": 10})
    created: list[tuple[datetime, str]] = []
    for minute in range(40):
        sandbox.clock.set(T0 + timedelta(minutes=minute))
        task = client.post(
            "task/", json={"_type": "lead", "lead_id": lead["id"], "text": f"t{minute}"}
        )
        created.append((T0 + timedelta(minutes=minute), task["id"]))
    start, end = T0 + timedelta(minutes=5), T0 + timedelta(minutes=35)
    stats = WalkStats()
    got = [
        row["id"]
        for row in iter_extract(
            client, replace(resource_spec("task"), page_size=5), start, end, stats=stats
        )
    ]
    assert got == [i for moment, i in sorted(created) if start <= moment < end]
    # 30 rows in pages of 5 resuming at the last date read (never a _skip, so max skip 10 is
    # irrelevant): each page after the first re-reads one row.
    assert (stats.windows, stats.requests, stats.rows_reread) == (1, 8, 7)


def test_leads_are_listed_whole_through_advanced_filtering(
    sandbox: CloseSandbox, client: CloseClient
) -> None:
    ids = {client.post("lead/", json={"name": f"Lead {n}"})["id"] for n in range(9)}
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
    stream = io.StringIO()
    result = extract_to_stream(
        client, replace(resource_spec("lead"), page_size=4), None, None, stream
    )
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert {row["id"] for row in lines} == ids
    assert all("__object_type" not in row and row["name"].startswith("Lead") for row in lines)
    assert result["rows"] == 9
    assert result["requests"] == 3  # 4 + 3 + 2 new rows, one re-read per page after the first
    assert [r.path for r in sandbox.requests if r.path != "/lead/"] == ["/data/search/"] * 3


def test_leads_and_contacts_are_windowed_on_date_created(
    sandbox: CloseSandbox, client: CloseClient
) -> None:
    by_minute = {}
    for minute in range(5):
        sandbox.clock.set(T0 + timedelta(minutes=minute))
        by_minute[minute] = client.post(
            "lead/", json={"name": f"L{minute}", "contacts": [{"name": f"C{minute}"}]}
        )
    start, end = T0 + timedelta(minutes=1), T0 + timedelta(minutes=3)
    leads = list(iter_extract(client, resource_spec("lead"), start, end))
    assert [lead["name"] for lead in leads] == ["L1", "L2"]
    assert leads[0]["contacts"][0]["name"] == "C1"
    contacts = list(iter_extract(client, resource_spec("contact"), start, end))
    assert [contact["name"] for contact in contacts] == ["C1", "C2"]
    # One lead's contacts come from the plain list, which is immediate (no search lag)...
    one_lead = replace(resource_spec("contact"), params={"lead_id": by_minute[4]["id"]})
    assert [c["name"] for c in iter_extract(client, one_lead)] == ["C4"]
    assert [r.path for r in sandbox.requests[-1:]] == ["/contact/"]
    # ...in (date_created, id) order, with the window applied to its rows.
    client.post("contact/", json={"lead_id": by_minute[1]["id"], "name": "C1 late"})
    sandbox.clock.set(T0)
    client.post("contact/", json={"lead_id": by_minute[1]["id"], "name": "C1 early"})
    lead_one = replace(resource_spec("contact"), params={"lead_id": by_minute[1]["id"]})
    assert [c["name"] for c in iter_extract(client, lead_one, start, end)] == ["C1"]
    assert [c["name"] for c in iter_extract(client, lead_one)] == ["C1 early", "C1", "C1 late"]


def test_unwindowed_resource_past_max_skip_fails_naming_the_alternatives(
    sandbox: CloseSandbox, client: CloseClient
) -> None:
    sandbox.set_limits(max_skip={"lead": 8})
    for n in range(14):
        client.post("lead/", json={"name": f"Lead {n}"})
    sandbox.clock.advance(sandbox.search_lag)  # the query search trails writes
    # A lead query with a sort of its own is offset-paged; without one it is keyset-walked.
    query = replace(resource_spec("lead"), page_size=4, params={"query": "lead sort:name"})
    with pytest.raises(UnwindowedLimitError, match=r"Advanced Filtering.*Export") as err:
        list(iter_extract(client, query))
    assert err.value.max_skip == 8
    keyset = replace(query, params={"query": "lead"})
    assert len(list(iter_extract(client, keyset))) == 14  # its _skip never grows


def test_unwindowed_resource_refuses_an_interval(client: CloseClient) -> None:
    with pytest.raises(ValueError, match="user has no date filter"):
        iter_extract(client, resource_spec("user"), T0, T0 + timedelta(days=1))
    query = replace(resource_spec("lead"), params={"query": "acme"})
    with pytest.raises(ValueError, match="lead query search has no date filter"):
        iter_extract(client, query, T0, None)


def test_events_are_windowed_on_date_updated(sandbox: CloseSandbox, client: CloseClient) -> None:
    ids_by_minute: dict[int, str] = {}
    for minute in range(6):
        sandbox.clock.set(T0 + timedelta(minutes=minute))
        lead = client.post("lead/", json={"name": f"Lead {minute}"})
        ids_by_minute[minute] = lead["id"]
    start, end = T0 + timedelta(minutes=2), T0 + timedelta(minutes=4)
    events = list(iter_extract(client, resource_spec("event"), start, end))
    created = {
        e["object_id"] for e in events if e["object_type"] == "lead" and e["action"] == "created"
    }
    assert created == {ids_by_minute[2], ids_by_minute[3]}
