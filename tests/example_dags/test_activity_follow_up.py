"""example_close_activity_follow_up end to end: inbound calls/SMS -> a task and a note per lead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

DAG_ID = "example_close_activity_follow_up"


@pytest.mark.integration
def test_each_lead_with_an_inbound_call_or_sms_gets_one_task_and_one_note(
    seeded_sandbox, api, run_example
):
    sandbox = seeded_sandbox
    # An hour a month ago, far from the seed's activities (the last 14 days).
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=30)
    called, texted, dialled_out, late = sorted(sandbox.state.leads)[:4]
    sandbox.clock.set(hour + timedelta(minutes=10))
    api.post("activity/call/", {"lead_id": called, "direction": "inbound", "duration": 40})
    api.post("activity/call/", {"lead_id": called, "direction": "inbound", "duration": 5})
    api.post("activity/sms/", {"lead_id": texted, "status": "inbox", "text": "Call me?"})
    api.post("activity/call/", {"lead_id": dialled_out, "direction": "outbound"})
    sandbox.clock.set(hour + timedelta(minutes=61))  # the next hour: outside the interval
    api.post("activity/call/", {"lead_id": late, "direction": "inbound"})
    sandbox.clock.reset()
    tasks_before, activities_before = set(sandbox.state.tasks), set(sandbox.state.activities)

    # A run at hour + 1h covers [hour, hour + 1h).
    run = run_example(DAG_ID, logical_date=hour + timedelta(hours=1))

    assert run.state == "success"
    tasks = [sandbox.state.tasks[t] for t in set(sandbox.state.tasks) - tasks_before]
    assert sorted(t["lead_id"] for t in tasks) == sorted([called, texted])
    assert {t["text"] for t in tasks} == {"Follow up on the inbound call or SMS"}
    assert {t["date"] for t in tasks} == {(hour + timedelta(hours=1)).date().isoformat()}
    new = [sandbox.state.activities[a] for a in set(sandbox.state.activities) - activities_before]
    assert sorted((a["_type"], a["lead_id"]) for a in new) == sorted(
        [("Note", called), ("Note", texted)]
    )
    assert {a["title"] for a in new} == {"Inbound contact"}
    window = f"between {hour:%Y-%m-%d %H}:00:00+00:00 and {hour + timedelta(hours=1):%Y-%m-%d %H}"
    assert all(window in a["note"] for a in new)
