"""Pure tests of per-row planning: invalid, duplicates, create, update, unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_close.bulk.mapping import MappingError, parse_mapping
from airflow_provider_close.bulk.plan import key_column, plan_rows, prepare_rows
from airflow_provider_close.lookups.leads import LeadMatchKey

CF_EXT = "cf_" + "e" * 43
EXT_KEY = LeadMatchKey("custom_field", CF_EXT)
CUSTOM_KEYS = {"External ID": f"custom.{CF_EXT}"}
MAPPING = parse_mapping(
    {
        "name": "company",
        "contacts": [{"name": "contact", "emails": ["email"]}],
        "custom": {"External ID": "ext"},
    }
)
LEAD_1 = "lead_" + "1" * 43
LEAD_2 = "lead_" + "2" * 43


@pytest.mark.parametrize(
    ("key", "column"),
    [(EXT_KEY, "ext"), (LeadMatchKey("name"), "company"), (LeadMatchKey("contact_email"), "email")],
)
def test_key_column(key: LeadMatchKey, column: str) -> None:
    assert key_column(MAPPING, key, CUSTOM_KEYS) == column


def test_unmapped_key_is_a_mapping_error() -> None:
    with pytest.raises(MappingError, match="not mapped"):
        key_column(parse_mapping({"name": "company"}), EXT_KEY, CUSTOM_KEYS)


def _row(ext: Any, company: Any = "Acme", email: Any = "ann@acme.io") -> dict[str, Any]:
    return {"ext": ext, "company": company, "contact": "Ann", "email": email}


def _plan(rows: list[Any], found: dict[str, list[dict[str, Any]]]) -> list[Any]:
    prepared = prepare_rows(rows, MAPPING, "ext", CUSTOM_KEYS)
    return plan_rows(EXT_KEY, prepared, found)


def test_every_row_gets_exactly_one_plan_in_order() -> None:
    existing = {
        "id": LEAD_1,
        "name": "Acme",
        f"custom.{CF_EXT}": "A",
        "contacts": [{"name": "Ann", "emails": [{"email": "ann@acme.io"}]}],
    }
    rows = [
        _row("A"),  # unchanged
        _row("B", company="Beta"),  # create
        _row("C", company="Gamma Inc"),  # update (name differs)
        _row("D"),  # duplicate in input
        _row("D"),
        _row(""),  # blank key
        {"ext": "E"},  # missing columns
        "not a dict",
        _row("F", company=None),  # create without a name: invalid payload
        _row("G"),  # two leads in Close
    ]
    found = {
        "A": [existing],
        "B": [],
        "C": [{**existing, "id": LEAD_2, f"custom.{CF_EXT}": "C"}],
        "F": [],
        "G": [existing, {**existing, "id": LEAD_2}],
    }
    plans = _plan(rows, found)
    assert [(p.index, p.action) for p in plans] == [
        (0, "unchanged"),
        (1, "create"),
        (2, "update"),
        (3, "duplicate_key"),
        (4, "duplicate_key"),
        (5, "invalid"),
        (6, "invalid"),
        (7, "invalid"),
        (8, "invalid"),
        (9, "duplicate_key"),
    ]
    assert plans[2].patch == {"name": "Gamma Inc"}
    assert plans[2].lead_id == LEAD_2
    assert plans[2].new_contacts == []
    assert plans[5].reason == "match key column 'ext' is empty"
    assert plans[6].reason == "missing column 'company'"
    assert plans[7].reason == "row is not a dict but str"
    assert "lead.name" in (plans[8].reason or "")
    assert plans[9].reason == f"2 leads in Close hold this key: {LEAD_1}, {LEAD_2}"


def test_missing_contact_alone_makes_an_update() -> None:
    existing = {"id": LEAD_1, "name": "Acme", f"custom.{CF_EXT}": "A", "contacts": []}
    (plan,) = _plan([_row("A")], {"A": [existing]})
    assert plan.action == "update"
    assert plan.patch is None
    assert [c["lead_id"] for c in plan.new_contacts] == [LEAD_1]


def test_email_keys_are_duplicates_regardless_of_case() -> None:
    key = LeadMatchKey("contact_email")
    rows = [_row("1", email="Ann@acme.io"), _row("2", email="ann@ACME.io")]
    prepared = prepare_rows(rows, MAPPING, "email", CUSTOM_KEYS)
    assert [p.action for p in plan_rows(key, prepared, {})] == ["duplicate_key", "duplicate_key"]


def test_numeric_keys_are_compared_as_text() -> None:
    (plan,) = _plan([_row(17)], {"17": []})
    assert (plan.key, plan.action) == ("17", "create")
