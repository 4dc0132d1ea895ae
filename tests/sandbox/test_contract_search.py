"""Contract: ``POST /data/search/`` Advanced Filtering, with the documented query shapes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.fixtures.api import api, ok
from tests.sandbox.live_target import ContractTarget

__all__ = ["api"]

pytestmark = pytest.mark.live


def _lead_type() -> dict[str, str]:
    return {"type": "object_type", "object_type": "lead"}


def _custom(field_id: str, condition: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "field_condition",
        "field": {"type": "custom_field", "custom_field_id": field_id},
        "condition": condition,
    }


def _regular(object_type: str, name: str, condition: dict[str, Any]) -> dict[str, Any]:
    field = {"type": "regular_field", "object_type": object_type, "field_name": name}
    return {"type": "field_condition", "field": field, "condition": condition}


@pytest.fixture
def org(api: httpx.Client, sandbox: CloseSandbox) -> dict[str, str]:
    external = ok(api.post("custom_field/lead/", json={"name": "External ID", "type": "text"}))
    score = ok(api.post("custom_field/lead/", json={"name": "Score", "type": "number"}))
    ids = {"external": external["id"], "score": score["id"]}
    rows = (
        ("Acme Rockets", "EXT-1", 10, "ceo@acme.example", "CEO"),
        ("Globex", "EXT-2", 50, "buyer@globex.example", "Buyer"),
        ("Initech", "EXT-3", 90, "peter@initech.example", "Engineer"),
    )
    for name, ext, points, email, title in rows:
        lead = ok(
            api.post(
                "lead/",
                json={
                    "name": name,
                    f"custom.{ids['external']}": ext,
                    f"custom.{ids['score']}": points,
                    "contacts": [
                        {"name": f"{name} contact", "title": title, "emails": [{"email": email}]}
                    ],
                },
            )
        )
        ids[name] = lead["id"]
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
    return ids


def _names(api: httpx.Client, query: dict[str, Any], **body: Any) -> list[str]:
    page = ok(
        api.post("data/search/", json={"query": query, "_fields": {"lead": ["name"]}, **body})
    )
    return [item.get("name", item["id"]) for item in page["data"]]


def test_results_carry_object_type_and_only_id_by_default(
    api: httpx.Client, org: dict[str, str]
) -> None:
    page = ok(api.post("data/search/", json={"query": _lead_type()}))
    assert page["data"][0] == {"__object_type": "lead", "id": org["Acme Rockets"]}
    assert page["cursor"] is None


@pytest.mark.parametrize(
    ("condition_of", "expected"),
    [
        (
            lambda ids: _custom(ids["external"], {"type": "term", "values": ["EXT-2", "EXT-3"]}),
            ["Globex", "Initech"],
        ),
        (
            lambda ids: _custom(ids["score"], {"type": "number_range", "gte": 50}),
            ["Globex", "Initech"],
        ),
        (
            lambda ids: _custom(ids["score"], {"type": "number_range", "gt": 10, "lt": 90}),
            ["Globex"],
        ),
        (
            lambda ids: _custom(ids["external"], {"type": "exists"}),
            ["Acme Rockets", "Globex", "Initech"],
        ),
        (
            _regular("lead", "name", {"type": "text", "mode": "full_words", "value": "rockets"}),
            ["Acme Rockets"],
        ),
        (
            {
                "type": "negate",
                "query": _regular("lead", "name", {"type": "term", "values": ["Globex"]}),
            },
            ["Acme Rockets", "Initech"],
        ),
        (
            lambda ids: {
                "type": "or",
                "queries": [
                    {"type": "id", "value": ids["Globex"]},
                    {"type": "text", "value": "initech"},
                ],
            },
            ["Globex", "Initech"],
        ),
        (
            {
                "type": "has_related",
                "this_object_type": "lead",
                "related_object_type": "contact",
                "related_query": _regular(
                    "contact", "title", {"type": "text", "mode": "full_words", "value": "CEO"}
                ),
            },
            ["Acme Rockets"],
        ),
        (
            {
                "type": "has_related",
                "this_object_type": "lead",
                "related_object_type": "contact",
                "related_query": _regular(
                    "contact", "emails", {"type": "term", "values": ["buyer@globex.example"]}
                ),
            },
            ["Globex"],
        ),
        (
            lambda ids: {
                **_custom(ids["external"], {"type": "term", "values": ["EXT-1"]}),
                "negate": True,
            },
            ["Globex", "Initech"],
        ),
    ],
)
def test_query_nodes_and_conditions(
    api: httpx.Client, org: dict[str, str], condition_of: Any, expected: list[str]
) -> None:
    condition = condition_of(org) if callable(condition_of) else condition_of
    query = {"type": "and", "queries": [_lead_type(), condition]}
    assert _names(api, query) == expected


def test_moment_range_on_date_created(api: httpx.Client, org: dict[str, str]) -> None:
    def window(after: str, before: str) -> dict[str, Any]:
        return _regular(
            "lead",
            "date_created",
            {
                "type": "moment_range",
                "on_or_after": {"type": "fixed_utc", "value": after},
                "before": {"type": "fixed_local_date", "value": before, "which": "start"},
            },
        )

    query = {"type": "and", "queries": [_lead_type(), window("2000-01-01T00:00:00Z", "2999-01-01")]}
    assert len(_names(api, query)) == 3
    query = {"type": "and", "queries": [_lead_type(), window("2999-01-01T00:00:00Z", "3000-01-01")]}
    assert _names(api, query) == []


def test_contacts_are_searchable_too(api: httpx.Client, org: dict[str, str]) -> None:
    query = {
        "type": "and",
        "queries": [
            {"type": "object_type", "object_type": "contact"},
            _regular(
                "contact", "title", {"type": "text", "mode": "full_words", "value": "engineer"}
            ),
        ],
    }
    page = ok(api.post("data/search/", json={"query": query, "_fields": {"contact": ["lead_id"]}}))
    assert [(i["__object_type"], i["lead_id"]) for i in page["data"]] == [
        ("contact", org["Initech"])
    ]


def test_cursor_pages_sort_and_fields(api: httpx.Client, org: dict[str, str]) -> None:
    body: dict[str, Any] = {
        "query": _lead_type(),
        "_limit": 2,
        "_fields": {"lead": ["id", "name", f"custom.{org['score']}"]},
        "sort": [
            {
                "direction": "desc",
                "field": {"type": "regular_field", "object_type": "lead", "field_name": "name"},
            }
        ],
    }
    first = ok(api.post("data/search/", json=body))
    second = ok(api.post("data/search/", json={**body, "cursor": first["cursor"]}))
    assert [i["name"] for i in first["data"] + second["data"]] == [
        "Initech",
        "Globex",
        "Acme Rockets",
    ]
    assert first["data"][0][f"custom.{org['score']}"] == 90
    assert second["cursor"] is None


def test_cursor_expires_after_30_seconds(
    api: httpx.Client, org: dict[str, str], sandbox: CloseSandbox
) -> None:
    first = ok(api.post("data/search/", json={"query": _lead_type(), "_limit": 1}))
    sandbox.clock.advance(31)
    response = api.post("data/search/", json={"query": _lead_type(), "cursor": first["cursor"]})
    assert response.status_code == 400


def test_a_cursor_walk_stops_at_10000(api: httpx.Client, sandbox: CloseSandbox) -> None:
    state = sandbox.state
    with state.lock:
        for index in range(10_050):
            lead_id = state.new_id("lead")
            state.leads[lead_id] = {"id": lead_id, "name": f"L{index}"}
        state.revision += 1
    body: dict[str, Any] = {"query": _lead_type(), "_limit": 200}
    total, page = 0, ok(api.post("data/search/", json=body))
    while True:
        total += len(page["data"])
        if page["cursor"] is None:
            break
        page = ok(api.post("data/search/", json={**body, "cursor": page["cursor"]}))
    assert total == 10_000


@pytest.mark.parametrize(
    "body",
    [
        {"query": {"type": "telepathy"}},
        {
            "query": {
                "type": "and",
                "queries": [
                    {
                        "type": "field_condition",
                        "field": {"type": "regular_field", "field_name": "name"},
                        "condition": {"type": "fuzzy"},
                    }
                ],
            }
        },
        {},
        {"query": {"type": "match_all"}, "_limit": 201},
    ],
)
def test_malformed_searches_are_400(
    api: httpx.Client, org: dict[str, str], body: dict[str, Any]
) -> None:
    response = api.post("data/search/", json=body)
    assert response.status_code == 400
    assert "error" in response.json()


def test_match_all_returns_leads_and_contacts(api: httpx.Client, org: dict[str, str]) -> None:
    page = ok(api.post("data/search/", json={"query": {"type": "match_all"}}))
    kinds = sorted({item["__object_type"] for item in page["data"]})
    assert (kinds, len(page["data"])) == (["contact", "lead"], 6)


def test_lead_by_contact_email_through_nested_has_related(
    api: httpx.Client, org: dict[str, str]
) -> None:
    email_node = _regular(
        "contact_email",
        "email",
        {"type": "text", "mode": "phrase", "value": "buyer@globex.example"},
    )
    query = {
        "type": "and",
        "queries": [
            _lead_type(),
            {
                "type": "has_related",
                "this_object_type": "lead",
                "related_object_type": "contact",
                "related_query": {
                    "type": "has_related",
                    "this_object_type": "contact",
                    "related_object_type": "contact_email",
                    "related_query": {"type": "or", "queries": [email_node]},
                },
            },
        ],
    }
    assert _names(api, query) == ["Globex"]


def test_lead_name_phrase_match(api: httpx.Client, org: dict[str, str]) -> None:
    node = _regular("lead", "name", {"type": "text", "mode": "phrase", "value": "acme rockets"})
    assert _names(api, {"type": "and", "queries": [_lead_type(), node]}) == ["Acme Rockets"]


def test_own_leads_by_name_phrase_in_cursor_pages(
    api: httpx.Client, target: ContractTarget
) -> None:
    names = [target.name(label) for label in ("Initech", "Globex", "Acme Rockets")]
    created = {ok(api.post("lead/", json={"name": name}))["id"] for name in names}
    node = _regular("lead", "name", {"type": "text", "mode": "phrase", "value": target.run_id})
    body: dict[str, Any] = {
        "query": {"type": "and", "queries": [_lead_type(), node]},
        "_limit": 2,
        "_fields": {"lead": ["id", "name"]},
        "sort": [
            {
                "direction": "desc",
                "field": {"type": "regular_field", "object_type": "lead", "field_name": "name"},
            }
        ],
    }

    def walk() -> list[dict[str, Any]]:
        first = ok(api.post("data/search/", json=body))
        if first["cursor"] is None:
            return list(first["data"])
        second = ok(api.post("data/search/", json={**body, "cursor": first["cursor"]}))
        assert second["cursor"] is None
        return list(first["data"] + second["data"])

    found = target.until_searchable(walk, lambda items: len(items) == len(names))
    assert [item["name"] for item in found] == sorted(names, reverse=True)
    assert {item["id"] for item in found} == created
    assert {item["__object_type"] for item in found} == {"lead"}
