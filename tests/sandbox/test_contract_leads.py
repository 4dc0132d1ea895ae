"""Contract: leads and contacts over real HTTP, as close-api.md §3, §6.1, §6.2 describe them."""

from __future__ import annotations

import re

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.fixtures.api import api, ok
from tests.sandbox.live_target import ContractTarget

__all__ = ["api"]

pytestmark = pytest.mark.live

LEAD_ID = re.compile(r"^lead_[0-9A-Za-z]{43}$")
CONTACT_ID = re.compile(r"^cont_[0-9A-Za-z]{43}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")


def _custom_field(api: httpx.Client, name: str, field_type: str = "text", **extra: object) -> str:
    body = {"name": name, "type": field_type, **extra}
    return str(ok(api.post("custom_field/lead/", json=body))["id"])


@pytest.mark.sandbox_only("creates an organisation-wide custom field")
def test_create_lead_with_nested_contact_address_and_custom_value(api: httpx.Client) -> None:
    field_id = _custom_field(api, "External ID")
    lead = ok(
        api.post(
            "lead/",
            json={
                "name": "Acme Rockets",
                "contacts": [
                    {
                        "name": "Wile E.",
                        "emails": [{"email": "wile@acme.example", "type": "office"}],
                        "phones": [{"phone": "+16505176539", "type": "mobile"}],
                    }
                ],
                "addresses": [{"label": "business", "city": "Tucson", "country": "US"}],
                f"custom.{field_id}": "EXT-1",
            },
        )
    )
    assert LEAD_ID.match(lead["id"])
    assert TIMESTAMP.match(lead["date_created"])
    assert lead[f"custom.{field_id}"] == "EXT-1"
    assert lead["addresses"][0]["city"] == "Tucson"
    contact = lead["contacts"][0]
    assert CONTACT_ID.match(contact["id"])
    assert contact["lead_id"] == lead["id"]
    assert contact["phones"][0]["phone_formatted"] == "+1 650-517-6539"
    assert ok(api.get(f"lead/{lead['id']}/"))["contacts"][0]["id"] == contact["id"]


@pytest.mark.sandbox_only("relies on the sandbox's default lead statuses")
def test_status_defaults_to_the_first_and_resolves_labels(api: httpx.Client) -> None:
    statuses = ok(api.get("status/lead/"))["data"]
    assert ok(api.post("lead/", json={"name": "A"}))["status_id"] == statuses[0]["id"]
    qualified = next(s for s in statuses if s["label"] == "Qualified")
    lead = ok(api.post("lead/", json={"name": "B", "status": "Qualified"}))
    assert (lead["status_id"], lead["status_label"]) == (qualified["id"], "Qualified")


def test_status_and_status_id_together_is_a_field_error(
    api: httpx.Client, target: ContractTarget
) -> None:
    status = ok(api.get("status/lead/"))["data"][0]
    body = {"name": target.name("A"), "status": status["label"], "status_id": status["id"]}
    response = api.post("lead/", json=body)
    assert response.status_code == 400
    assert set(response.json()) == {"errors", "field-errors"}
    assert "status" in response.json()["field-errors"]


def test_unknown_custom_field_is_a_field_error(api: httpx.Client, target: ContractTarget) -> None:
    response = api.post("lead/", json={"name": target.name("A"), "custom.cf_doesnotexist": "x"})
    assert response.status_code == 400
    assert "custom.cf_doesnotexist" in response.json()["field-errors"]


def test_nested_errors_use_list_indexes_as_string_keys(
    api: httpx.Client, target: ContractTarget
) -> None:
    contacts = [{"name": "ok"}, {"phones": [{"phone": "abc"}]}]
    response = api.post("lead/", json={"name": target.name("A"), "contacts": contacts})
    assert response.status_code == 400
    assert response.json()["field-errors"] == {
        "contacts": {
            "errors": {
                "1": {
                    "errors": [],
                    "field-errors": {
                        "phones": {
                            "errors": {
                                "0": {
                                    "errors": [],
                                    "field-errors": {"phone": "Invalid phone number."},
                                }
                            }
                        }
                    },
                }
            }
        }
    }


@pytest.mark.parametrize(
    ("field_type", "value", "valid"),
    [
        ("number", 42, True),
        ("number", "not a number", False),
        ("choices", "Retail", True),
        ("choices", "Space", False),
        ("date", "2024-02-30", False),
        ("date", "2024-02-03", True),
    ],
)
@pytest.mark.sandbox_only("creates an organisation-wide custom field")
def test_custom_values_are_validated_by_field_type(
    api: httpx.Client, field_type: str, value: object, valid: bool
) -> None:
    field_id = _custom_field(api, "F", field_type, choices=["Retail", "Software"])
    response = api.post("lead/", json={"name": "A", f"custom.{field_id}": value})
    assert (response.status_code == 200) is valid, response.text


@pytest.mark.sandbox_only("creates an organisation-wide custom field")
def test_put_is_a_partial_update_and_null_unsets_custom_values(api: httpx.Client) -> None:
    field_id = _custom_field(api, "External ID")
    lead = ok(api.post("lead/", json={"name": "A", "description": "d", f"custom.{field_id}": "1"}))
    updated = ok(api.put(f"lead/{lead['id']}/", json={"name": "B", f"custom.{field_id}": None}))
    assert (updated["name"], updated["description"]) == ("B", "d")
    assert f"custom.{field_id}" not in updated


def test_fields_param_restricts_the_response(api: httpx.Client, target: ContractTarget) -> None:
    lead = ok(api.post("lead/", params={"_fields": "id,name"}, json={"name": target.name("A")}))
    assert set(lead) == {"id", "name"}
    assert set(ok(api.get(f"lead/{lead['id']}/", params={"_fields": "name"}))) == {"name"}


@pytest.mark.parametrize("path", ["lead/lead_missing/", "contact/cont_missing/"])
def test_unknown_ids_are_404_with_an_error_message(api: httpx.Client, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert isinstance(response.json()["error"], str)


def test_paths_work_with_and_without_the_trailing_slash(api: httpx.Client) -> None:
    assert ok(api.get("lead/")) == ok(api.get("lead"))


def test_unsupported_method_is_405(api: httpx.Client) -> None:
    response = api.patch("lead/", json={})
    assert response.status_code == 405
    assert "error" in response.json()


def test_invalid_json_gets_closes_message(api: httpx.Client) -> None:
    response = api.post("lead/", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"error": "The request contains invalid JSON."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('name:"Acme Rockets"', ["Acme Rockets"]),
        ("name:globex", ["Globex"]),
        ('email:"wile@acme.example"', ["Acme Rockets"]),
        ("rockets", ["Acme Rockets"]),
        ('"CUSTOM_FIELD":"EXT-2"', ["Globex"]),
        ("nothing-matches-this", []),
    ],
)
@pytest.mark.sandbox_only("creates a custom field and searches the whole organisation")
def test_legacy_query_search_forms(
    api: httpx.Client, sandbox: CloseSandbox, query: str, expected: list[str]
) -> None:
    field_id = _custom_field(api, "External ID")
    contacts = [{"name": "Wile", "emails": [{"email": "wile@acme.example"}]}]
    api.post("lead/", json={"name": "Acme Rockets", "contacts": contacts})
    api.post("lead/", json={"name": "Globex", f"custom.{field_id}": "EXT-2"})
    sandbox.clock.advance(sandbox.search_lag)  # the query search trails writes
    page = ok(
        api.get("lead/", params={"query": query.replace("CUSTOM_FIELD", f"custom.{field_id}")})
    )
    assert [lead["name"] for lead in page["data"]] == expected
    assert page["total_results"] == len(expected)


def test_contact_crud_and_lead_filter(api: httpx.Client, target: ContractTarget) -> None:
    lead = ok(api.post("lead/", json={"name": target.name("A")}))
    contact = ok(api.post("contact/", json={"lead_id": lead["id"], "name": "Ann", "title": "CEO"}))
    other = ok(api.post("lead/", json={"name": target.name("B")}))
    ok(api.post("contact/", json={"lead_id": other["id"], "name": "X"}))
    listed = ok(api.get("contact/", params={"lead_id": lead["id"]}))["data"]
    assert [c["id"] for c in listed] == [contact["id"]]
    assert ok(api.put(f"contact/{contact['id']}/", json={"title": "CTO"}))["name"] == "Ann"
    assert ok(api.delete(f"contact/{contact['id']}/")) == {}
    assert api.get(f"contact/{contact['id']}/").status_code == 404


def test_contact_without_lead_creates_a_lead_named_after_it(
    api: httpx.Client, sandbox: CloseSandbox
) -> None:
    contact = ok(api.post("contact/", json={"name": "Solo Person"}))
    assert sandbox.state.leads[contact["lead_id"]]["name"] == "Solo Person"


def test_contact_with_unknown_lead_is_a_field_error(api: httpx.Client) -> None:
    response = api.post("contact/", json={"lead_id": "lead_nope", "name": "X"})
    assert response.status_code == 400
    assert response.json()["field-errors"] == {"lead_id": "Object does not exist."}


def test_me_and_users(api: httpx.Client, sandbox: CloseSandbox) -> None:
    me = ok(api.get("me/"))
    assert me["id"] == sandbox.state.me["id"]
    assert me["organizations"][0]["id"].startswith("orga_")
    users = ok(api.get("user/"))["data"]
    assert users[0]["organizations"] == [me["organizations"][0]["id"]]
    assert ok(api.get(f"user/{me['id']}/"))["email"] == me["email"]


def test_status_change_logs_a_lead_status_change_activity(
    api: httpx.Client, target: ContractTarget
) -> None:
    lead = ok(api.post("lead/", json={"name": target.name("A")}))
    new = next(s for s in ok(api.get("status/lead/"))["data"] if s["id"] != lead["status_id"])
    ok(api.put(f"lead/{lead['id']}/", json={"name": target.name("renamed")}))
    ok(api.put(f"lead/{lead['id']}/", json={"status_id": new["id"]}))
    changes = ok(api.get("activity/", params={"lead_id": lead["id"]}))["data"]
    changes = [a for a in changes if a["_type"] != "Created"]  # Close may log the creation
    assert [(a["_type"], a["old_status_id"], a["new_status_label"]) for a in changes] == [
        ("LeadStatusChange", lead["status_id"], new["label"])
    ]
