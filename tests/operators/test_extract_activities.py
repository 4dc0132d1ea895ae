"""CloseExtractActivitiesOperator against the sandbox: exact, split past max skip, identical
on re-run, atomic, interval-partitioned for backfills."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from airflow_provider_close.client import CloseServerError
from airflow_provider_close.operators.extract import CloseExtractActivitiesOperator
from airflow_provider_close.sandbox import CloseSandbox, Fault

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def interval(start: datetime, length: timedelta = DAY) -> dict[str, Any]:
    return {"data_interval_start": start, "data_interval_end": start + length}


def load(
    sandbox: CloseSandbox, kind: str, count: int, start: datetime, step: timedelta
) -> list[str]:
    """Insert ``count`` activities, two per date value (ties), from ``start`` on; return their
    ids in the order an extraction must write them: by (date_created, id)."""
    keyed = [
        (
            i // 2,
            str(sandbox.state.insert_activity(kind, date_created=start + (i // 2) * step)["id"]),
        )
        for i in range(count)
    ]
    return [identifier for _, identifier in sorted(keyed)]


def rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def operator(path: Path, **kwargs: Any) -> CloseExtractActivitiesOperator:
    return CloseExtractActivitiesOperator(task_id="extract", path=str(path), **kwargs)


def test_extracts_more_rows_than_max_skip_exactly_once_and_identically_on_rerun(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    sandbox.set_limits(max_skip={"activity": 500})
    calls = load(sandbox, "call", 1_450, T0, timedelta(seconds=30))
    sms = load(sandbox, "sms", 30, T0 + timedelta(hours=1), timedelta(minutes=1))
    load(sandbox, "call", 4, T0 + DAY, timedelta(seconds=1))  # next interval
    load(sandbox, "note", 4, T0, timedelta(seconds=1))  # type not asked for
    target = tmp_path / "out" / "activities.ndjson"
    result = operator(target, activity_types=["sms", "call"]).execute(interval(T0))

    written = rows(target)
    assert [r["id"] for r in written] == calls + sms  # calls first, each ascending by (date, id)
    assert len({r["id"] for r in written}) == len(written)
    assert result["counts"] == {"call": 1_450, "sms": 30}
    assert result["rows"] == 1_480
    assert result["path"] == str(target)
    assert result["requests"] == len(sandbox.requests)
    # Only the rows already read at the last date (two share each date here) are skipped.
    assert all(r.status == 200 for r in sandbox.requests)
    assert {parse_qs(r.query).get("_skip", ["0"])[0] for r in sandbox.requests} <= {"0", "1"}
    first = target.read_bytes()

    operator(target, activity_types=["call", "sms"]).execute(interval(T0))
    assert target.read_bytes() == first
    assert [p.name for p in target.parent.iterdir()] == ["activities.ndjson"]


def test_lines_are_deterministic_json(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    load(sandbox, "note", 1, T0, timedelta(seconds=1))
    target = tmp_path / "notes.ndjson"
    operator(target, activity_types=["note"]).execute(interval(T0))
    line = target.read_text().splitlines()[0]
    record = json.loads(line)
    assert line == json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_backfill_intervals_partition_the_activities(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    ids = load(sandbox, "call", 96, T0, timedelta(hours=1))  # 2 per hour over 2 days
    seen: list[str] = []
    for hour in range(0, 48, 6):
        start = T0 + timedelta(hours=hour)
        target = tmp_path / f"calls-{hour:02d}.ndjson"
        result = operator(target, activity_types=["call"]).execute(
            interval(start, timedelta(hours=6))
        )
        part = [r["id"] for r in rows(target)]
        assert part == ids[hour * 2 : (hour + 6) * 2]
        assert result["counts"] == {"call": 12}
        seen += part
    assert seen == ids


def test_templated_bounds_override_the_data_interval(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    ids = load(sandbox, "sms", 8, T0, timedelta(hours=1))
    target = tmp_path / "sms.ndjson"
    op = operator(
        target,
        activity_types=["sms"],
        start="2026-03-01 01:00:00+00:00",
        end="2026-03-01T03:00:00+00:00",
    )
    result = op.execute(interval(T0 + 10 * DAY))
    assert [r["id"] for r in rows(target)] == ids[2:6]
    assert (result["start"], result["end"]) == (
        "2026-03-01T01:00:00.000000+00:00",
        "2026-03-01T03:00:00.000000+00:00",
    )


@pytest.mark.parametrize(
    "case",
    [
        ({"activity_types": ["call", "whatsapp"]}, interval(T0), "non-empty subset"),
        ({"activity_types": []}, interval(T0), "non-empty subset"),
        ({}, {"data_interval_start": None, "data_interval_end": None}, "no interval"),
        (
            {"start": "2026-03-02T00:00:00+00:00", "end": "2026-03-01T00:00:00+00:00"},
            {},
            "after its end",
        ),
    ],
)
def test_bad_input_fails_before_any_request_or_file(
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    tmp_path: Path,
    case: tuple[dict[str, Any], dict[str, Any], str],
) -> None:
    kwargs, context, message = case
    with pytest.raises(ValueError, match=message):
        operator(tmp_path / "x.ndjson", **kwargs).execute(context)
    assert sandbox.requests == []
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_leaves_the_previous_file_and_no_partial_one(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    load(sandbox, "call", 250, T0, timedelta(seconds=10))
    target = tmp_path / "calls.ndjson"
    operator(target, activity_types=["call"]).execute(interval(T0))
    before = target.read_bytes()
    close_conn(max_retries=0)
    load(sandbox, "call", 10, T0 + timedelta(hours=2), timedelta(seconds=10))
    sandbox.add_fault(Fault(kind="server_error", status=503, path="/activity/call/", every=2))
    with pytest.raises(CloseServerError):
        operator(target, activity_types=["call"]).execute(interval(T0))
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["calls.ndjson"]


def test_literal_types_are_checked_when_the_dag_is_parsed(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-empty subset"):
        operator(tmp_path / "x.ndjson", activity_types=["call", "chat"])
    op = operator(tmp_path / "x.ndjson", activity_types="{{ params.kinds }}")
    assert op.activity_types == "{{ params.kinds }}"


def test_comma_separated_types_are_accepted(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    load(sandbox, "note", 2, T0, timedelta(minutes=1))
    load(sandbox, "email", 3, T0, timedelta(minutes=1))
    result = operator(tmp_path / "x.ndjson", activity_types="email, note").execute(interval(T0))
    assert result["counts"] == {"note": 2, "email": 3}
