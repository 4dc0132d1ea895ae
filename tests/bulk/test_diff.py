"""Pure tests of the diff: what differs, what to create, which contacts are missing."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_close.bulk.diff import (
    contact_is_present,
    create_payload,
    lead_fields_to_fetch,
    lead_patch,
    missing_contact_payloads,
    same_value,
)
from airflow_provider_close.bulk.mapping import DesiredLead
from airflow_provider_close.client.errors import ClosePayloadError

LEAD_ID = "lead_" + "a" * 43
CF_X = "custom.cf_" + "x" * 43
CF_SCORE = "custom.cf_" + "s" * 43
CF_NEW = "custom.cf_" + "n" * 43


@pytest.mark.parametrize(
    ("wanted", "current", "same"),
    [
        ("Acme", "Acme", True),
        ("Acme", "acme", False),
        ("x", None, False),
        (42, 42.0, True),
        ("42", 42, True),
        (42, "42.0", True),
        (42, "x", False),
        (True, 1.0, False),
        (["a", "b"], ["b", "a"], True),
        (["a"], "a", True),
        (["a"], ["a", "b"], False),
        ("2026-01-01", "2026-01-01", True),
    ],
)
def test_same_value(wanted: object, current: object, same: bool) -> None:
    assert same_value(wanted, current) is same


def test_lead_fields_to_fetch() -> None:
    assert lead_fields_to_fetch(["name", "status", "url"], ["custom.cf_a"]) == [
        "id",
        "name",
        "status_label",
        "url",
        "contacts",
        "custom.cf_a",
    ]


def _desired(**fields: Any) -> DesiredLead:
    custom = fields.pop("custom", {})
    contacts = fields.pop("contacts", [])
    return DesiredLead(fields=fields, custom=custom, contacts=contacts)


def test_create_payload_nests_contacts_and_custom_keys() -> None:
    desired = _desired(
        name="Acme",
        status="Potential",
        custom={CF_X: "A-1"},
        contacts=[{"name": "Ann", "emails": ["ann@acme.io"]}],
    )
    payload = create_payload(desired)
    assert payload["name"] == "Acme"
    assert payload["status"] == "Potential"
    assert payload[CF_X] == "A-1"
    assert payload["contacts"] == [
        {"name": "Ann", "emails": [{"email": "ann@acme.io", "type": "office"}]}
    ]


def test_create_payload_needs_a_name() -> None:
    with pytest.raises(ClosePayloadError, match="name"):
        create_payload(_desired(url="https://acme.io"))


LEAD = {
    "id": LEAD_ID,
    "name": "Acme",
    "url": "https://acme.io",
    "status_label": "Potential",
    CF_SCORE: 42.0,
    "contacts": [{"name": "Ann", "emails": [{"email": "Ann@Acme.io"}], "phones": []}],
}


@pytest.mark.parametrize(
    ("desired", "patch"),
    [
        (_desired(name="Acme", url="https://acme.io", custom={CF_SCORE: 42}), None),
        (_desired(name="Acme Inc"), {"name": "Acme Inc"}),
        (_desired(status="Qualified"), {"status": "Qualified"}),
        (_desired(custom={CF_SCORE: "43"}), {CF_SCORE: "43"}),
        (_desired(custom={CF_NEW: "x"}), {CF_NEW: "x"}),
    ],
)
def test_lead_patch_sends_only_differences(
    desired: DesiredLead, patch: dict[str, object] | None
) -> None:
    assert lead_patch(desired, LEAD) == patch


@pytest.mark.parametrize(
    ("wanted", "present"),
    [
        ({"name": "Someone else", "emails": ["ann@acme.io"]}, True),  # email wins, any case
        ({"name": "Ann", "emails": ["bob@acme.io"]}, False),  # email decides over name
        ({"name": "Ann"}, True),
        ({"name": "ann"}, False),
        ({"phones": ["+1 415 555 0123"]}, False),
    ],
)
def test_contact_is_present(wanted: dict[str, Any], present: bool) -> None:
    assert contact_is_present(wanted, LEAD["contacts"]) is present  # type: ignore[arg-type]


def test_contact_present_by_phone_digits() -> None:
    existing = [{"name": "x", "phones": [{"phone": "+14155550123"}]}]
    assert contact_is_present({"phones": ["+1 415-555-0123"]}, existing)


def test_missing_contacts_become_contact_posts() -> None:
    desired = _desired(
        contacts=[{"name": "Ann", "emails": ["ann@acme.io"]}, {"name": "Bob", "emails": ["b@x.io"]}]
    )
    assert missing_contact_payloads(desired, LEAD) == [
        {"name": "Bob", "emails": [{"email": "b@x.io", "type": "office"}], "lead_id": LEAD_ID}
    ]
