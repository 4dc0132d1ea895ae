"""Pure tests of the lead lookup: query building and exact client-side matching."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_close.lookups.leads import (
    LeadMatchKey,
    lead_key_search_body,
    lead_key_values,
    leads_by_value,
    normalise_key_value,
)

CF = "cf_" + "x" * 43
EXTERNAL = LeadMatchKey("custom_field", CF)
NAME = LeadMatchKey("name")
EMAIL = LeadMatchKey("contact_email")


def test_custom_field_key_accepts_the_custom_prefix() -> None:
    assert LeadMatchKey("custom_field", f"custom.{CF}").custom_field_id == CF
    assert LeadMatchKey("custom_field", f"custom.{CF}") == EXTERNAL


@pytest.mark.parametrize(
    ("kind", "cf_id", "message"),
    [
        ("custom_field", None, "needs custom_field_id"),
        ("name", CF, "only valid for kind custom_field"),
        ("phone", None, "unknown match key kind"),
    ],
)
def test_invalid_keys_are_refused(kind: Any, cf_id: str | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LeadMatchKey(kind, cf_id)


@pytest.mark.parametrize(
    ("key", "field"),
    [(EXTERNAL, f"custom.{CF}"), (NAME, "name"), (EMAIL, "contacts")],
)
def test_lead_field_names_the_field_holding_the_key(key: LeadMatchKey, field: str) -> None:
    assert key.lead_field == field


def test_custom_field_body_is_one_term_condition_over_all_values() -> None:
    body = lead_key_search_body(EXTERNAL, ["A-1", "A-2"], ["url"])
    assert body == {
        "query": {
            "type": "and",
            "queries": [
                {"type": "object_type", "object_type": "lead"},
                {
                    "type": "field_condition",
                    "field": {"type": "custom_field", "custom_field_id": CF},
                    "condition": {"type": "term", "values": ["A-1", "A-2"]},
                },
            ],
        },
        "_fields": {"lead": ["id", "name", f"custom.{CF}", "url"]},
    }


def test_name_body_is_an_or_of_phrase_conditions() -> None:
    node = lead_key_search_body(NAME, ["Acme", "Beta Co"])["query"]["queries"][1]
    assert node["type"] == "or"
    assert [q["condition"] for q in node["queries"]] == [
        {"type": "text", "mode": "phrase", "value": "Acme"},
        {"type": "text", "mode": "phrase", "value": "Beta Co"},
    ]
    assert node["queries"][0]["field"] == {
        "type": "regular_field",
        "object_type": "lead",
        "field_name": "name",
    }


def test_email_body_walks_lead_contact_contact_email() -> None:
    body = lead_key_search_body(EMAIL, ["a@x.io"], ["name"])
    node = body["query"]["queries"][1]
    assert (node["type"], node["this_object_type"], node["related_object_type"]) == (
        "has_related",
        "lead",
        "contact",
    )
    inner = node["related_query"]
    assert (inner["this_object_type"], inner["related_object_type"]) == ("contact", "contact_email")
    assert inner["related_query"]["queries"][0]["field"] == {
        "type": "regular_field",
        "object_type": "contact_email",
        "field_name": "email",
    }
    assert body["_fields"] == {"lead": ["id", "name", "contacts"]}


def test_empty_chunk_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one value"):
        lead_key_search_body(NAME, [])


@pytest.mark.parametrize(
    ("key", "lead", "expected"),
    [
        (EXTERNAL, {"id": "l", f"custom.{CF}": "A-1"}, {"A-1"}),
        (EXTERNAL, {"id": "l", f"custom.{CF}": ["A-1", "B"]}, {"A-1", "B"}),
        (EXTERNAL, {"id": "l", f"custom.{CF}": 17}, {"17"}),
        (EXTERNAL, {"id": "l"}, set()),
        (NAME, {"id": "l", "name": "Acme"}, {"Acme"}),
        (
            EMAIL,
            {
                "id": "l",
                "contacts": [
                    {"emails": [{"email": "A@X.io"}, {"email": "b@x.io"}]},
                    {"emails": []},
                    {},
                ],
            },
            {"a@x.io", "b@x.io"},
        ),
    ],
)
def test_lead_key_values(key: LeadMatchKey, lead: dict[str, Any], expected: set[str]) -> None:
    assert lead_key_values(key, lead) == expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [(EMAIL, "  Ann@X.IO ", "ann@x.io"), (NAME, " Acme ", " Acme "), (EXTERNAL, 5, "5")],
)
def test_normalise_key_value(key: LeadMatchKey, value: object, expected: str) -> None:
    assert normalise_key_value(key, value) == expected


def test_leads_by_value_is_exact_and_keeps_every_requested_value() -> None:
    leads = [
        {"id": "lead_1", "name": "Acme"},
        {"id": "lead_2", "name": "Acme Rockets"},  # a looser, word-level match
        {"id": "lead_1", "name": "Acme"},  # the same lead seen twice (two chunks)
        {"id": "lead_3", "name": "acme"},  # names are case-sensitive
    ]
    assert leads_by_value(NAME, ["Acme", "Nope"], leads) == {
        "Acme": [{"id": "lead_1", "name": "Acme"}],
        "Nope": [],
    }


def test_leads_by_value_matches_emails_case_insensitively() -> None:
    lead = {"id": "lead_1", "contacts": [{"emails": [{"email": "Ann@X.io"}]}]}
    other = {"id": "lead_2", "contacts": [{"emails": [{"email": "ann@x.io.evil"}]}]}
    result = leads_by_value(EMAIL, ["ANN@x.io"], [lead, other])
    assert [lead["id"] for lead in result["ANN@x.io"]] == ["lead_1"]


def test_leads_by_value_reports_duplicates_in_close() -> None:
    leads = [{"id": "lead_1", f"custom.{CF}": "A"}, {"id": "lead_2", f"custom.{CF}": "A"}]
    assert [lead["id"] for lead in leads_by_value(EXTERNAL, ["A"], leads)["A"]] == [
        "lead_1",
        "lead_2",
    ]
