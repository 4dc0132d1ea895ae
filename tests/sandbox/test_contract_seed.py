"""Contract: the ``demo`` seed, read back over HTTP."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.limits import PageLimits
from airflow_provider_close.sandbox.seed import seed_demo
from airflow_provider_close.sandbox.state import SandboxState
from tests.sandbox.fixtures.api import ok, seeded_api

__all__ = ["seeded_api"]


def test_demo_org_has_users_statuses_and_custom_fields(seeded_api: httpx.Client) -> None:
    assert len(ok(seeded_api.get("user/"))["data"]) == 4
    labels = [s["label"] for s in ok(seeded_api.get("status/lead/"))["data"]]
    assert labels == ["Potential", "Bad Fit", "Qualified", "Customer"]
    kinds = {s["type"] for s in ok(seeded_api.get("status/opportunity/"))["data"]}
    assert kinds == {"active", "won", "lost"}
    fields = {f["name"]: f["type"] for f in ok(seeded_api.get("custom_field/lead/"))["data"]}
    assert fields == {"External ID": "text", "Lead Score": "number", "Industry": "choices"}


def test_demo_leads_have_contacts_addresses_and_custom_values(seeded_api: httpx.Client) -> None:
    fields = {f["name"]: f["id"] for f in ok(seeded_api.get("custom_field/lead/"))["data"]}
    leads = ok(seeded_api.get("lead/", params={"_limit": 200}))["data"]
    assert len(leads) == 20
    for lead in leads:
        assert lead["contacts"]
        assert lead["addresses"]
        assert lead["contacts"][0]["emails"]
        assert lead["contacts"][0]["phones"]
        assert isinstance(lead[f"custom.{fields['Lead Score']}"], int)
        assert lead[f"custom.{fields['External ID']}"].startswith("EXT-")


def test_demo_activities_cover_every_type_over_the_last_14_days(
    seeded_api: httpx.Client, seeded_sandbox: CloseSandbox
) -> None:
    now = seeded_sandbox.clock.now()
    activities = []
    for skip in range(0, 1000, 100):
        page = ok(seeded_api.get("activity/", params={"_skip": skip, "_limit": 100}))
        activities += page["data"]
        if not page["has_more"]:
            break
    counts = Counter(a["_type"] for a in activities)
    assert {"Call", "SMS", "Note", "Email", "Meeting"} <= set(counts)
    oldest = min(datetime.fromisoformat(a["date_created"]) for a in activities)
    assert now - oldest <= timedelta(days=14)
    assert ok(seeded_api.get("task/"))["data"]
    assert ok(seeded_api.get("opportunity/"))["total_results"] > 0


def test_seed_is_deterministic() -> None:
    def seeded() -> SandboxState:
        state = SandboxState(
            now=lambda: datetime(2026, 3, 1, tzinfo=UTC), limits=PageLimits.defaults()
        )
        seed_demo(state)
        return state

    first, second = seeded(), seeded()
    assert first.leads == second.leads
    assert first.activities == second.activities
