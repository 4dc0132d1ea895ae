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
    assert stats.windows > 1  # 30 rows cannot be reached with _skip <= 10: the window was split


def test_unwindowed_resource_is_walked_whole(sandbox: CloseSandbox, client: CloseClient) -> None:
    ids = {client.post("lead/", json={"name": f"Lead {n}"})["id"] for n in range(9)}
    stream = io.StringIO()
    result = extract_to_stream(
        client, replace(resource_spec("lead"), page_size=4), None, None, stream
    )
    assert {json.loads(line)["id"] for line in stream.getvalue().splitlines()} == ids
    assert result["rows"] == 9
    assert result["requests"] == 3


def test_unwindowed_resource_past_max_skip_fails_naming_the_alternatives(
    sandbox: CloseSandbox, client: CloseClient
) -> None:
    sandbox.set_limits(max_skip={"lead": 8})
    for n in range(14):
        client.post("lead/", json={"name": f"Lead {n}"})
    with pytest.raises(UnwindowedLimitError, match=r"Advanced Filtering.*Export") as err:
        list(iter_extract(client, replace(resource_spec("lead"), page_size=4)))
    assert err.value.max_skip == 8


def test_unwindowed_resource_refuses_an_interval(client: CloseClient) -> None:
    with pytest.raises(ValueError, match="contact has no date filter"):
        iter_extract(client, resource_spec("contact"), T0, T0 + timedelta(days=1))


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
