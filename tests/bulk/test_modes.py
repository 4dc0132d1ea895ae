"""Sync modes and fill-only-when-empty, pure: checks and the planner's decisions."""

from __future__ import annotations

import pytest

from airflow_provider_close.bulk.diff import kept_by_fill_only, lead_patch
from airflow_provider_close.bulk.mapping import DesiredLead, MappingError
from airflow_provider_close.bulk.modes import PlanRules, check_mode, fill_only_keys
from airflow_provider_close.bulk.plan import PreparedRow, plan_rows
from airflow_provider_close.lookups.leads import LeadMatchKey

KEY = LeadMatchKey("name")
CF = "custom.cf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"


def test_check_mode_names_the_field_and_the_allowed_values() -> None:
    assert check_mode("update_only") == "update_only"
    with pytest.raises(
        MappingError, match="mode must be one of 'upsert', 'update_only', 'create_only', got 'both'"
    ):
        check_mode("both")


def test_fill_only_keys_resolve_custom_names_and_refuse_unmapped_fields() -> None:
    keys = fill_only_keys(
        ["description", "custom.Industry"], ["name", "description"], {"Industry": CF}
    )
    assert keys == {"description", CF}
    assert fill_only_keys(None, ["name"], {}) == frozenset()
    with pytest.raises(
        MappingError, match=r"'url' is not a mapped field; allowed: 'custom\.Industry', 'name'"
    ):
        fill_only_keys(["url"], ["name"], {"Industry": CF})
    with pytest.raises(MappingError, match="a list"):
        fill_only_keys("description", ["description"], {})


def test_kept_by_fill_only_only_when_close_holds_a_value() -> None:
    fill = frozenset({"description"})
    assert kept_by_fill_only("description", "typed", fill)
    assert not kept_by_fill_only("description", "  ", fill)
    assert not kept_by_fill_only("description", None, fill)
    assert not kept_by_fill_only("name", "typed", fill)
    assert kept_by_fill_only("description", ["x"], fill)
    assert not kept_by_fill_only("description", [], fill)


def test_lead_patch_leaves_filled_fields_alone() -> None:
    desired = DesiredLead({"name": "New", "description": "ours"}, {CF: "a"}, [])
    lead = {"id": "lead_1", "name": "Old", "description": "theirs", CF: None}
    patch = lead_patch(desired, lead, frozenset({"description", CF}))
    assert patch == {"name": "New", CF: "a"}


def _plans(mode: str) -> list[str]:
    prepared = [
        PreparedRow(0, "Acme", DesiredLead({"name": "Acme", "description": "d"}, {}, [])),
        PreparedRow(1, "New Co", DesiredLead({"name": "New Co"}, {}, [])),
        PreparedRow(2, "Same", DesiredLead({"name": "Same"}, {}, [])),
    ]
    found = {"Acme": [{"id": "lead_a", "name": "Acme"}], "Same": [{"id": "lead_s", "name": "Same"}]}
    plans = plan_rows(KEY, prepared, found, rules=PlanRules(mode))  # type: ignore[arg-type]
    return [p.action for p in plans]


def test_each_mode_decides_per_row() -> None:
    assert _plans("upsert") == ["update", "create", "unchanged"]
    assert _plans("update_only") == ["update", "skipped", "unchanged"]
    assert _plans("create_only") == ["skipped", "create", "skipped"]
