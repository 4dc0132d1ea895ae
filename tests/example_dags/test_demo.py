"""tools/demo.py end to end (as ``python3 tools/dev.py demo`` runs it), against the test
session's seeded sandbox so its summary can be checked against the sandbox's state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "tools" / "demo.py"


@pytest.mark.integration
def test_demo_runs_both_pipelines_and_its_summary_matches_close(seeded_sandbox, tmp_path):
    sandbox = seeded_sandbox
    fields = {f["name"]: f"custom.{f['id']}" for f in sandbox.state.custom_fields["lead"].values()}
    scores_before = {
        lead_id: lead[fields["Lead Score"]] for lead_id, lead in sandbox.state.leads.items()
    }
    out = tmp_path / "summary.json"

    done = subprocess.run(
        [
            sys.executable,
            str(DEMO),
            "--sandbox-url",
            sandbox.url,
            "--api-key",
            sandbox.api_key,
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = json.loads(out.read_text())
    assert summary["runs"] == {
        "example_close_warehouse_to_close": "success",
        "example_close_extract_activities": "success",
        "example_close_warehouse_mirror": "success",
    }
    leads = sandbox.state.leads
    created = summary["leads"]["created"]
    assert len(created) == 4
    assert set(leads) - set(scores_before) == {lead["id"] for lead in created}
    for lead in created:
        assert leads[lead["id"]][fields["External ID"]] == lead["external_id"]
        assert leads[lead["id"]][fields["Lead Score"]] == lead["score"]
    updated = summary["leads"]["updated"]
    assert {lead["id"] for lead in updated} == {
        lead_id
        for lead_id, score in scores_before.items()
        if lead_id in leads  # the demo merges and deletes two seeded leads for the mirror
        and leads[lead_id][fields["Lead Score"]] != score
    }
    assert len(updated) == 2
    # The third existing lead in the warehouse kept its score: shown, not silently dropped.
    (unchanged,) = summary["leads"]["unchanged"]
    assert unchanged["id"] in scores_before
    assert leads[unchanged["id"]][fields["Lead Score"]] == scores_before[unchanged["id"]]
    assert unchanged["id"] not in {lead["id"] for lead in updated}
    assert "Leads unchanged (warehouse score already in Close): 1\n" in done.stdout
    high = {lead["id"] for lead in created + updated if lead["score"] >= 80}
    assert {task["lead_id"] for task in summary["tasks"]} == high
    for task in summary["tasks"]:
        assert sandbox.state.tasks[task["id"]]["text"] == task["text"]
    extract = summary["extract"]
    extracted_types = {"Call", "SMS", "Note", "Email", "Meeting"}  # not the merge's LeadMerge
    in_day = [
        a
        for a in sandbox.state.activities.values()
        if a["date_created"].startswith(extract["day"]) and a["_type"] in extracted_types
    ]
    assert extract["rows"] == len(in_day) == extract["warehouse_rows"]
    assert f"Activities extracted for {extract['day']}: {extract['rows']} " in done.stdout
    assert "Leads created: 4" in done.stdout
    _check_mirror(sandbox, summary["mirror"], done.stdout)
    assert not Path(summary["warehouse"]).exists()  # the temporary directory is removed


_MIRRORED = {
    "close_leads": ("leads", None),
    "close_contacts": ("contacts", None),
    "close_opportunities": ("opportunities", None),
    **{
        f"close_{kind.lower()}s": ("activities", kind)
        for kind in ("Call", "SMS", "Note", "Email", "Meeting")
    },
}


def _check_mirror(sandbox, mirror, stdout):
    """The mirror holds exactly Close's objects changed yesterday, and yesterday's deletions."""
    state, day, tables = sandbox.state, mirror["day"], mirror["tables"]
    for table, (store, kind) in _MIRRORED.items():
        expected = {
            obj["id"]
            for obj in getattr(state, store).values()
            if obj["date_updated"].startswith(day) and kind in (None, obj.get("_type"))
        }
        assert set(tables[table]["ids"]) == expected, table
        assert f"  {table:<22} {len(expected)} rows" in stdout
    edits = mirror["edits"]
    assert edits["edited"] in tables["close_leads"]["ids"]
    assert tables["close_notes"]["rows"] >= 1  # yesterday's note on the edited lead
    deleted = set(tables["close_deleted"]["ids"])
    assert {edits["merged"], edits["deleted"]} <= deleted
    assert not deleted & set(state.leads)  # no live lead has a tombstone
