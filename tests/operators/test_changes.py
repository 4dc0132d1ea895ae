"""CloseExtractChangesOperator / CloseExtractTombstonesOperator against the sandbox: for every
object type, changes inside the interval are written and those outside are not; deletions and
merges become tombstones exactly once; intervals past the event log's retention are refused
before any request."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from airflow_provider_close._compat import TaskDeferred
from airflow_provider_close.extraction.changes import CHANGE_TYPES
from airflow_provider_close.extraction.tombstones import TOMBSTONE_TYPES
from airflow_provider_close.operators.changes import (
    CloseExtractChangesOperator,
    CloseExtractTombstonesOperator,
)
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.leads import create_lead

DAY = timedelta(days=1)
#: The interval under test: recent enough for the event log (real time), in whole hours.
START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 3 * DAY
END = START + DAY


def interval(start: datetime = START, end: datetime = END) -> dict[str, Any]:
    return {"data_interval_start": start, "data_interval_end": end}


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def api(sandbox: CloseSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, "")) as client:
        yield client


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def changes(tmp_path: Path, object_type: str, **kwargs: Any) -> list[dict[str, Any]]:
    target = tmp_path / f"{object_type}.ndjson"
    op = CloseExtractChangesOperator(
        task_id=f"changes_{object_type}".replace(".", "_"),
        path=str(target),
        object_type=object_type,
    )
    result = op.execute(interval(**kwargs))
    written = lines(target)
    assert result["rows"] == len(written)
    return written


@pytest.fixture
def history(sandbox: CloseSandbox, api: httpx.Client) -> dict[str, str]:
    """Objects created before the interval, changed in it, created in it, changed after it."""
    clock = sandbox.clock
    clock.set(START - DAY)
    ids: dict[str, str] = {}
    old = ok(api.post("lead/", json={"name": "old", "contacts": [{"name": "c-old"}]}))
    ids |= {"old_lead": old["id"], "old_contact": old["contacts"][0]["id"]}
    ids["old_opp"] = ok(api.post("opportunity/", json={"lead_id": old["id"]}))["id"]
    ids["old_task"] = ok(api.post("task/", json={"lead_id": old["id"], "text": "t"}))["id"]
    ids["old_note"] = ok(api.post("activity/note/", json={"lead_id": old["id"], "note": "n"}))["id"]
    ids["untouched_call"] = ok(api.post("activity/call/", json={"lead_id": old["id"]}))["id"]
    ids["untouched_lead"] = ok(api.post("lead/", json={"name": "untouched"}))["id"]
    clock.set(START + timedelta(hours=1))
    for path, body in (
        (f"lead/{ids['old_lead']}/", {"name": "old, edited"}),
        (f"contact/{ids['old_contact']}/", {"title": "CEO"}),
        (f"opportunity/{ids['old_opp']}/", {"value": 5}),
        (f"task/{ids['old_task']}/", {"text": "u"}),
        (f"activity/note/{ids['old_note']}/", {"note": "m"}),
    ):
        clock.advance(1)
        ok(api.put(path, json=body))
    clock.advance(1)
    new = ok(api.post("lead/", json={"name": "new", "contacts": [{"name": "c-new"}]}))
    ids |= {"new_lead": new["id"], "new_contact": new["contacts"][0]["id"]}
    ids["new_opp"] = ok(api.post("opportunity/", json={"lead_id": new["id"]}))["id"]
    ids["new_task"] = ok(api.post("task/", json={"lead_id": new["id"], "text": "t"}))["id"]
    ids["new_note"] = ok(api.post("activity/note/", json={"lead_id": new["id"], "note": "n"}))["id"]
    later = ok(api.post("activity/note/", json={"lead_id": new["id"], "note": "x"}))["id"]
    ids["later_note"] = later
    clock.set(END + timedelta(hours=1))  # the next interval: changes that must not show
    ok(api.put(f"lead/{new['id']}/", json={"name": "new, edited later"}))
    ok(api.put(f"activity/note/{later}/", json={"note": "edited later"}))
    ok(api.post("lead/", json={"name": "next interval"}))
    clock.set(END + DAY)  # the search index has long caught up
    return ids


@pytest.mark.parametrize(
    ("object_type", "expected"),
    [
        ("lead", ["old_lead"]),  # new_lead changed again after the interval
        ("contact", ["old_contact", "new_contact"]),
        ("opportunity", ["old_opp", "new_opp"]),
        ("task", ["old_task", "new_task"]),  # by date_created
        ("activity.note", ["new_note", "old_note"]),  # created in it, then older changed
        ("activity.call", []),
    ],
)
def test_writes_exactly_the_objects_changed_in_the_interval(
    history: dict[str, str],
    close_conn: Callable[..., str],
    tmp_path: Path,
    object_type: str,
    expected: list[str],
) -> None:
    written = changes(tmp_path, object_type)
    assert [row["id"] for row in written] == [history[name] for name in expected]
    for row in written:
        moment = datetime.fromisoformat(row["date_updated"])
        assert START <= moment < END


def test_lines_are_the_objects_as_close_returns_them(
    history: dict[str, str], api: httpx.Client, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    lead = changes(tmp_path, "lead")[0]
    assert lead == ok(api.get(f"lead/{history['old_lead']}/"))
    contacts = changes(tmp_path, "contact")
    assert contacts[0] == ok(api.get(f"contact/{history['old_contact']}/"))


def test_every_type_is_accepted_and_snapshots_are_whole(
    history: dict[str, str], sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    for object_type in CHANGE_TYPES:
        changes(tmp_path, object_type)
    assert [row["id"] for row in changes(tmp_path, "user")] == [sandbox.state.me["id"]]
    statuses = changes(tmp_path, "lead_status")
    assert [row["id"] for row in statuses] == list(sandbox.state.lead_statuses)


def test_rerun_writes_the_same_file(
    history: dict[str, str], close_conn: Callable[..., str], tmp_path: Path
) -> None:
    first = changes(tmp_path, "contact")
    assert changes(tmp_path, "contact") == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contact.ndjson"]


def test_search_walk_passes_the_cursor_result_bound(
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("airflow_provider_close.sandbox.search.data_search.MAX_CURSOR_RESULTS", 150)
    sandbox.clock.set(START)
    meta = RequestMeta("POST", "/api/v1/lead/")
    created = []
    for number in range(420):
        sandbox.clock.advance(0.5)
        created.append(create_lead(sandbox.state, {"name": f"lead {number}"}, meta)["id"])
    sandbox.clock.set(END + DAY)
    assert [row["id"] for row in changes(tmp_path, "lead")] == created


def test_opportunity_walk_never_needs_a_skip(
    sandbox: CloseSandbox, api: httpx.Client, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    sandbox.set_limits(max_skip={"opportunity": 3}, max_limit={"opportunity": 250})
    sandbox.clock.set(START)
    lead = ok(api.post("lead/", json={"name": "l"}))["id"]
    created = []
    for _ in range(12):
        sandbox.clock.advance(1)
        created.append(ok(api.post("opportunity/", json={"lead_id": lead}))["id"])
    sandbox.clock.advance(1)
    ok(api.put(f"opportunity/{created[0]}/", json={"value": 7}))  # now the latest change
    sandbox.clock.set(END + DAY)
    expected = [*created[1:], created[0]]
    assert [row["id"] for row in changes(tmp_path, "opportunity")] == expected


def tombstones(tmp_path: Path, object_type: str, **kwargs: Any) -> list[dict[str, Any]]:
    target = tmp_path / f"deleted-{object_type}.ndjson"
    op = CloseExtractTombstonesOperator(
        task_id="tombstones", path=str(target), object_type=object_type
    )
    result = op.execute(interval(**kwargs))
    assert result["rows"] == len(lines(target))
    return lines(target)


def test_deletes_and_merges_become_tombstones_exactly_once(
    history: dict[str, str],
    sandbox: CloseSandbox,
    api: httpx.Client,
    close_conn: Callable[..., str],
    tmp_path: Path,
) -> None:
    sandbox.clock.set(START + timedelta(hours=5))
    merge = {"source": history["untouched_lead"], "destination": history["old_lead"]}
    ok(api.post("lead/merge/", json=merge))
    sandbox.clock.advance(1)
    ok(api.delete(f"lead/{history['new_lead']}/"))  # cascades to its contact, opp, task, note
    sandbox.clock.set(END + timedelta(hours=2))
    ok(api.delete(f"contact/{history['old_contact']}/"))  # next interval
    sandbox.clock.set(END + DAY)

    leads = tombstones(tmp_path, "lead")
    assert [(s["id"], s["merged_into"]) for s in leads] == [
        (history["untouched_lead"], history["old_lead"]),
        (history["new_lead"], None),
    ]
    assert leads[0]["deleted_at"] == (START + timedelta(hours=5)).isoformat(timespec="microseconds")
    assert [s["id"] for s in tombstones(tmp_path, "contact")] == [history["new_contact"]]
    for object_type, names in (
        ("opportunity", ["new_opp"]),
        ("task", ["new_task"]),
        ("activity.note", ["new_note", "later_note"]),
    ):
        expected = sorted(history[name] for name in names)  # deleted together: by id
        assert [s["id"] for s in tombstones(tmp_path, object_type)] == expected
    assert tombstones(tmp_path, "activity.call") == []
    next_day = tombstones(tmp_path, "contact", start=END, end=END + DAY)
    assert [s["id"] for s in next_day] == [history["old_contact"]]
    assert tombstones(tmp_path, "lead") == leads  # a re-run writes the same lines


#: Every type whose extraction reads the event log: all tombstones; the changes of activities
#: (older ones changed in the interval) and custom objects (no list filter of their own).
_EVENT_LOG_READS = [
    *((CloseExtractTombstonesOperator, t) for t in TOMBSTONE_TYPES),
    *(
        (CloseExtractChangesOperator, t)
        for t in CHANGE_TYPES
        if t.startswith("activity.") or t == "custom_object"
    ),
]


@pytest.mark.parametrize(("operator", "object_type"), _EVENT_LOG_READS)
def test_interval_past_retention_fails_before_any_request(
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    tmp_path: Path,
    operator: type[CloseExtractTombstonesOperator],
    object_type: str,
) -> None:
    old = datetime.now(UTC) - 31 * DAY
    op = operator(task_id="t", path=str(tmp_path / "x.ndjson"), object_type=object_type)
    with pytest.raises(ValueError, match="CloseExportOperator"):
        op.execute(interval(old, old + DAY))
    assert sandbox.requests == []
    assert list(tmp_path.iterdir()) == []


def test_recent_interval_defers_until_late_events_settled(
    sandbox: CloseSandbox, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    end = datetime.now(UTC) - timedelta(minutes=1)
    op = CloseExtractTombstonesOperator(
        task_id="t", path=str(tmp_path / "x.ndjson"), object_type="lead"
    )
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(interval(end - DAY, end))
    assert deferred.value.trigger.moment == end + timedelta(minutes=5)
    assert deferred.value.method_name == "execute_complete"
    assert sandbox.requests == []
    op.execute_complete(interval(end - DAY, end))
    assert lines(tmp_path / "x.ndjson") == []


def test_unknown_object_type_fails_at_parse() -> None:
    with pytest.raises(ValueError, match="object_type must be one of"):
        CloseExtractTombstonesOperator(task_id="t", path="x", object_type="user")
    with pytest.raises(ValueError, match=r"activity\.call"):
        CloseExtractChangesOperator(task_id="t", path="x", object_type="calls")


_EDITS = {
    "call": {"note": "edited"},
    "sms": {"text": "edited"},
    "email": {"subject": "edited"},
    "meeting": {"title": "edited"},
}


@pytest.mark.parametrize("kind", sorted(_EDITS))
def test_every_activity_type_writes_its_changes_and_deletions_in_the_interval(
    sandbox: CloseSandbox,
    api: httpx.Client,
    close_conn: Callable[..., str],
    tmp_path: Path,
    kind: str,
) -> None:
    """Created before and changed in the interval, created in it, created in it and changed
    after it, untouched, changed only after it: only the first two are the interval's; of two
    deleted, only the one deleted in the interval is its tombstone."""
    state, clock = sandbox.state, sandbox.clock
    clock.set(START - DAY)
    lead = ok(api.post("lead/", json={"name": f"{kind} owner"}))["id"]

    # Close edits only draft or scheduled emails and SMS (a sent one answers 400); meetings
    # have no POST (they come from calendar sync), so the sandbox stores them directly.
    body = {"lead_id": lead, **({"status": "draft"} if kind in ("email", "sms") else {})}

    def made() -> str:
        if kind == "meeting":
            return str(state.insert_activity(kind, lead_id=lead, log_event=True)["id"])
        return str(ok(api.post(f"activity/{kind}/", json=body))["id"])

    old, untouched, changed_later = made(), made(), made()
    clock.set(START + timedelta(hours=1))
    ok(api.put(f"activity/{kind}/{old}/", json=_EDITS[kind]))
    clock.advance(60)
    new, new_changed_later = made(), made()
    deleted_in, deleted_after = made(), made()
    clock.advance(60)
    ok(api.delete(f"activity/{kind}/{deleted_in}/"))
    clock.set(END + timedelta(hours=1))
    for late in (changed_later, new_changed_later):
        ok(api.put(f"activity/{kind}/{late}/", json=_EDITS[kind]))
    ok(api.delete(f"activity/{kind}/{deleted_after}/"))
    clock.set(END + DAY)

    written = changes(tmp_path, f"activity.{kind}")

    assert {row["id"] for row in written} == {old, new}
    assert untouched not in {row["id"] for row in written}
    for row in written:
        assert START <= datetime.fromisoformat(row["date_updated"]) < END
    deletions = tombstones(tmp_path, f"activity.{kind}")
    assert [s["id"] for s in deletions] == [deleted_in]  # the one after is the next interval's
    assert tombstones(tmp_path, f"activity.{kind}") == deletions  # a re-run: the same lines
