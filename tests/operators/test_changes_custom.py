"""Change capture of custom activities and custom objects against the sandbox: changes inside
the interval are written and those outside are not; deletions are tombstones exactly once;
creates and deletes in the middle of a walk neither lose nor repeat a row."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.page_hooks import Mutation, PageHook
from tests.operators.test_changes import DAY, END, START, changes, ok, tombstones

HOUR = timedelta(hours=1)


@pytest.fixture
def api(sandbox: CloseSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, "")) as client:
        yield client


@pytest.fixture
def org(sandbox: CloseSandbox, api: httpx.Client) -> dict[str, str]:
    """A custom activity type, a custom object type and a lead, before the interval."""
    sandbox.clock.set(START - DAY)
    return {
        "actitype": ok(api.post("custom_activity/", json={"name": "Demo"}))["id"],
        "cotype": ok(api.post("custom_object_type/", json={"name": "Car", "name_plural": "Cars"}))[
            "id"
        ],
        "lead": ok(api.post("lead/", json={"name": "owner"}))["id"],
    }


def _custom_activity(api: httpx.Client, org: dict[str, str], **fields: Any) -> str:
    body = {"lead_id": org["lead"], "custom_activity_type_id": org["actitype"], **fields}
    return str(ok(api.post("activity/custom/", json=body))["id"])


def _custom_object(api: httpx.Client, org: dict[str, str], name: str) -> str:
    body = {"lead_id": org["lead"], "custom_object_type_id": org["cotype"], "name": name}
    return str(ok(api.post("custom_object/", json=body))["id"])


@pytest.fixture
def history(sandbox: CloseSandbox, api: httpx.Client, org: dict[str, str]) -> dict[str, str]:
    """Per kind: older and changed in the interval, created in it, changed after it, untouched."""
    clock = sandbox.clock
    ids = {
        "old_ca": _custom_activity(api, org),
        "untouched_ca": _custom_activity(api, org),
        "old_co": _custom_object(api, org, "old"),
        "untouched_co": _custom_object(api, org, "untouched"),
    }
    clock.set(START + HOUR)
    ok(api.put(f"activity/custom/{ids['old_ca']}/", json={"pinned": True}))
    clock.advance(1)
    ok(api.put(f"custom_object/{ids['old_co']}/", json={"name": "old, edited"}))
    clock.advance(1)
    ids["new_ca"] = _custom_activity(api, org, status="draft")
    ids["later_ca"] = _custom_activity(api, org)
    ids["new_co"] = _custom_object(api, org, "new")
    ids["later_co"] = _custom_object(api, org, "later")
    clock.set(END + HOUR)  # the next interval: changes that must not show
    ok(api.put(f"activity/custom/{ids['later_ca']}/", json={"status": "draft"}))
    ok(api.put(f"custom_object/{ids['later_co']}/", json={"name": "later, edited"}))
    clock.advance(1)
    ids["next_ca"] = _custom_activity(api, org)
    _custom_object(api, org, "next interval")
    clock.set(END + DAY)
    return ids


def test_custom_activities_changed_in_the_interval_are_written_as_close_returns_them(
    history: dict[str, str], api: httpx.Client, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    written = changes(tmp_path, "activity.custom")
    # created in the interval first (by date_created), then older ones changed in it
    assert [row["id"] for row in written] == [history["new_ca"], history["old_ca"]]
    assert written[0] == ok(api.get(f"activity/custom/{history['new_ca']}/"))
    assert written[0]["status"] == "draft"
    assert written[1]["pinned"] is True
    next_day = changes(tmp_path, "activity.custom", start=END, end=END + DAY)
    assert [row["id"] for row in next_day] == [history["next_ca"], history["later_ca"]]


def test_custom_objects_changed_in_the_interval_are_written_as_close_returns_them(
    history: dict[str, str], api: httpx.Client, close_conn: Callable[..., str], tmp_path: Path
) -> None:
    written = changes(tmp_path, "custom_object")
    assert [row["id"] for row in written] == [history["old_co"], history["new_co"]]
    assert written[0] == ok(api.get(f"custom_object/{history['old_co']}/"))
    assert written[0]["name"] == "old, edited"
    next_day = changes(tmp_path, "custom_object", start=END, end=END + DAY)
    assert [row["name"] for row in next_day] == ["later, edited", "next interval"]


def test_custom_types_are_snapshots(
    org: dict[str, str], close_conn: Callable[..., str], tmp_path: Path
) -> None:
    assert [row["id"] for row in changes(tmp_path, "custom_activity_type")] == [org["actitype"]]
    assert [row["name"] for row in changes(tmp_path, "custom_object_type")] == ["Car"]


def test_deleted_custom_activities_and_objects_are_tombstones_exactly_once(
    history: dict[str, str],
    sandbox: CloseSandbox,
    api: httpx.Client,
    close_conn: Callable[..., str],
    tmp_path: Path,
) -> None:
    sandbox.clock.set(START + 5 * HOUR)
    ok(api.delete(f"activity/custom/{history['untouched_ca']}/"))
    ok(api.delete(f"custom_object/{history['untouched_co']}/"))
    sandbox.clock.set(END + 2 * HOUR)
    ok(api.delete(f"custom_object/{history['old_co']}/"))  # the next interval
    sandbox.clock.set(END + DAY)

    activities = tombstones(tmp_path, "activity.custom")
    assert [(s["id"], s["object_type"]) for s in activities] == [
        (history["untouched_ca"], "activity.custom")
    ]
    objects = tombstones(tmp_path, "custom_object")
    assert [s["id"] for s in objects] == [history["untouched_co"]]
    assert objects[0]["deleted_at"] == (START + 5 * HOUR).isoformat(timespec="microseconds")
    next_day = tombstones(tmp_path, "custom_object", start=END, end=END + DAY)
    assert [s["id"] for s in next_day] == [history["old_co"]]
    assert tombstones(tmp_path, "custom_object") == objects  # a re-run writes the same lines
    # a deleted object is no longer a change of the interval it was edited in
    assert [row["id"] for row in changes(tmp_path, "custom_object")] == [history["new_co"]]


def test_custom_activity_walk_is_exact_under_mid_walk_creates_and_deletes(
    sandbox: CloseSandbox,
    api: httpx.Client,
    org: dict[str, str],
    close_conn: Callable[..., str],
    tmp_path: Path,
) -> None:
    created = [
        sandbox.state.insert_activity(
            "custom_activity",
            lead_id=org["lead"],
            custom_activity_type_id=org["actitype"],
            status="published",
            pinned=False,
            date_created=START + timedelta(seconds=n),
            date_updated=START + timedelta(seconds=n),
        )["id"]
        for n in range(250)
    ]  # three pages of 100
    sandbox.clock.set(END + DAY)  # creates now land after the interval
    # After the first page: delete two rows already read and two not yet read; create one.
    gone = [created[0], created[1], created[150], created[151]]
    body = {"lead_id": org["lead"], "custom_activity_type_id": org["actitype"]}
    mutations = (
        *(Mutation("delete", f"/activity/custom/{i}/") for i in gone),
        Mutation("create", "/activity/custom/", body),
    )
    sandbox.add_page_hook(PageHook("/activity/custom/", mutations=mutations))
    got = [row["id"] for row in changes(tmp_path, "activity.custom")]
    assert sandbox.page_hooks[0]["fired"]
    kept = [i for i in created if i not in gone[2:]]  # rows read before their delete stay
    assert got == kept


def test_custom_object_reads_are_exact_when_objects_come_and_go_mid_run(
    sandbox: CloseSandbox,
    api: httpx.Client,
    org: dict[str, str],
    close_conn: Callable[..., str],
    tmp_path: Path,
) -> None:
    sandbox.clock.set(START + HOUR)
    other = ok(api.post("lead/", json={"name": "second owner"}))["id"]
    first = _custom_object(api, org, "first")
    second = str(
        ok(
            api.post(
                "custom_object/",
                json={"lead_id": other, "custom_object_type_id": org["cotype"], "name": "second"},
            )
        )["id"]
    )
    sandbox.clock.set(END + DAY)
    # Once the event log has been read: the first lead's object is deleted, a new one appears.
    body = {"lead_id": org["lead"], "custom_object_type_id": org["cotype"], "name": "late"}
    mutations = (
        Mutation("delete", f"/custom_object/{first}/"),
        Mutation("create", "/custom_object/", body),
    )
    sandbox.add_page_hook(PageHook("/event/", page=2, mutations=mutations))
    assert [row["id"] for row in changes(tmp_path, "custom_object")] == [second]
    assert sandbox.page_hooks[0]["fired"]
