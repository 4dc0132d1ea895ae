"""Pure tests of the row-to-lead mapping."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_close.bulk.mapping import (
    ContactMapping,
    LeadMapping,
    MappingError,
    desired_lead,
    is_blank,
    parse_mapping,
)

MAPPING = {
    "name": "company",
    "url": "website",
    "status": "status_label",
    "contacts": [{"name": "contact_name", "emails": ["email", "email2"], "phones": "phone"}],
    "custom": {"External ID": "account_id", "Lead Score": "score"},
}
CUSTOM_KEYS = {"External ID": "custom.cf_ext", "Lead Score": "custom.cf_score"}


def test_parse_mapping() -> None:
    assert parse_mapping(MAPPING) == LeadMapping(
        fields={"name": "company", "url": "website", "status": "status_label"},
        contacts=(
            ContactMapping(
                text={"name": "contact_name"},
                lists={"emails": ("email", "email2"), "phones": ("phone",)},
            ),
        ),
        custom={"External ID": "account_id", "Lead Score": "score"},
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "non-empty dict"),
        ({"nmae": "company"}, r"unknown lead field\(s\) \['nmae'\].*allowed: name, description"),
        ({"name": ""}, "mapping.name must name a column"),
        ({"name": 3}, "mapping.name must name a column"),
        ({"status": "a", "status_id": "b"}, "either status"),
        ({"name": "c", "contacts": "x"}, "mapping.contacts must be a list"),
        ({"name": "c", "contacts": [{}]}, r"contacts\[0\] must be a non-empty dict"),
        (
            {"name": "c", "contacts": [{"email": "e"}]},
            r"unknown contact field\(s\) \['email'\]; allowed: name, title, emails",
        ),
        ({"name": "c", "contacts": [{"emails": []}]}, "non-empty list of columns"),
        ({"name": "c", "custom": ["x"]}, "mapping.custom must be a dict"),
        ({"name": "c", "custom": {"X": None}}, "must name a column"),
    ],
)
def test_bad_mappings_are_refused_up_front(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        parse_mapping(raw)


@pytest.mark.parametrize(
    ("value", "blank"), [(None, True), ("", True), ("  ", True), (0, False), ("x", False)]
)
def test_is_blank(value: object, blank: bool) -> None:
    assert is_blank(value) is blank


def test_desired_lead_maps_columns_and_drops_blank_cells() -> None:
    row = {
        "company": " Acme ",
        "website": "",
        "status_label": "Potential",
        "contact_name": "Ann",
        "email": "ann@acme.io",
        "email2": None,
        "phone": "+14155550123",
        "account_id": "A-1",
        "score": 42,
    }
    desired = desired_lead(parse_mapping(MAPPING), row, CUSTOM_KEYS)
    assert desired.fields == {"name": "Acme", "status": "Potential"}
    assert desired.custom == {"custom.cf_ext": "A-1", "custom.cf_score": 42}
    assert desired.contacts == [
        {"name": "Ann", "emails": ["ann@acme.io"], "phones": ["+14155550123"]}
    ]


def test_a_contact_with_only_blank_cells_is_left_out() -> None:
    row = dict.fromkeys(
        ["company", "website", "status_label", "contact_name", "email", "email2", "phone"], ""
    )
    row.update(company="Acme", account_id="A", score=None)
    assert desired_lead(parse_mapping(MAPPING), row, CUSTOM_KEYS).contacts == []


def test_missing_column_raises_key_error() -> None:
    with pytest.raises(KeyError, match="website"):
        desired_lead(parse_mapping({"url": "website"}), {"company": "x"}, {})
