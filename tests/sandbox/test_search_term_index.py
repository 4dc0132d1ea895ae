"""Narrowed search (``search/candidates.py`` over ``search/term_index.py``) equals a full scan.

Leads and contacts are created, edited, merged and deleted over HTTP, with the search lag on
and the clock moved by uneven steps, so some writes are visible and some held back. After each
step every query below gives, over HTTP, the objects (and the order) a full evaluation of every
object gives on the same state.
"""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.search.advanced import node_matches
from airflow_provider_close.sandbox.search.candidates import candidate_objects
from airflow_provider_close.sandbox.search.objects import searchable_objects
from tests.conftest import SEARCH_LAG

VALUES = ["E-1", "e-1", "E-2", "E-3", "Shared", "shared"]
EMAILS = ["ann@acme.io", "ANN@acme.io", "bob@acme.io", "bob@other.io", "cy+x@acme.io"]


def _emails_like(value: str) -> dict[str, Any]:
    """The client's email lookup node: a contact_email whose email has ``value`` as a phrase."""
    field = {"type": "regular_field", "object_type": "contact_email", "field_name": "email"}
    text = {"type": "text", "mode": "phrase", "value": value}
    return {"type": "field_condition", "field": field, "condition": text}


def _has_email(*values: str) -> dict[str, Any]:
    return {
        "type": "has_related",
        "this_object_type": "contact",
        "related_object_type": "contact_email",
        "related_query": {"type": "or", "queries": [_emails_like(v) for v in values]},
    }


def _term(field: dict[str, Any], values: list[Any]) -> dict[str, Any]:
    return {
        "type": "field_condition",
        "field": field,
        "condition": {"type": "term", "values": values},
    }


def _queries(lead_field: str, contact_field: str, some_ids: list[str]) -> list[dict[str, Any]]:
    by_lead_cf = {"type": "custom_field", "custom_field_id": lead_field}
    by_contact_cf = {"type": "custom_field", "custom_field_id": contact_field}
    lead_name = {"type": "regular_field", "object_type": "lead", "field_name": "name"}
    contact_name = {"type": "regular_field", "object_type": "contact", "field_name": "name"}
    any_name = {"type": "regular_field", "field_name": "name"}
    lead = {"type": "object_type", "object_type": "lead"}
    contact = {"type": "object_type", "object_type": "contact"}
    return [
        {"type": "and", "queries": [lead, _term(by_lead_cf, ["E-1", "e-2", "E-404"])]},
        _term(by_lead_cf, ["shared"]),
        _term(by_contact_cf, ["E-3", "SHARED"]),
        {"type": "or", "queries": [_term(by_lead_cf, ["E-2"]), {"type": "id", "values": some_ids}]},
        {"type": "and", "queries": [contact, _term(contact_name, ["Ann", "bob"])]},
        {
            "type": "and",
            "queries": [_term(any_name, ["Ann", "Acme 3"]), {**contact, "negate": True}],
        },
        _term(lead_name, ["Acme 1", "acme 2"]),
        {"type": "id", "values": some_ids},
        {**_term(by_lead_cf, ["E-1"]), "negate": True},
        {"type": "and", "queries": [{"type": "object_type", "object_type": "opportunity"}]},
        {
            "type": "and",
            "queries": [
                lead,
                _term(by_lead_cf, ["E-1", "E-2", "shared"]),
                {
                    "type": "has_related",
                    "related_object_type": "contact",
                    "related_query": _term(contact_name, ["ann"]),
                },
            ],
        },
        {
            "type": "and",
            "queries": [contact, _has_email("ann@acme.io", "bob@other.io", "zed@no.io")],
        },
        {
            "type": "and",
            "queries": [
                lead,
                {
                    "type": "has_related",
                    "this_object_type": "lead",
                    "related_object_type": "contact",
                    "related_query": _has_email("ANN@acme.io", "cy+x@acme.io"),
                },
            ],
        },
        {
            "type": "or",
            "queries": [
                {
                    "type": "field_condition",
                    "field": lead_name,
                    "condition": {"type": "text", "mode": "phrase", "value": v},
                }
                for v in ("acme 1", "Acme 3")
            ],
        },
        {
            "type": "field_condition",
            "field": any_name,
            "condition": {"type": "text", "value": "acme"},
        },
        {
            "type": "field_condition",
            "field": any_name,
            "condition": {"type": "text", "mode": "beginning_of_words", "value": "ac"},
        },
        {
            "type": "and",
            "queries": [contact, _has_email("acme.io"), {"type": "text", "value": "bob"}],
        },
    ]


def _full_scan(sandbox: CloseSandbox, query: dict[str, Any]) -> list[str]:
    state = sandbox.state
    with state.lock:
        indexed = state.search_records()
        return [
            o.record["id"] for o in searchable_objects(indexed) if node_matches(indexed, o, query)
        ]


def _searched(api: httpx.Client, query: dict[str, Any]) -> list[str]:
    page = api.post("data/search/", json={"query": query, "_limit": 200})
    page.raise_for_status()
    return [item["id"] for item in page.json()["data"]]


def _created(response: httpx.Response) -> dict[str, Any]:
    response.raise_for_status()
    return dict(response.json())


def _step(api: httpx.Client, sandbox: CloseSandbox, rng: random.Random, cf: dict[str, str]) -> None:
    leads = list(sandbox.state.leads)
    contacts = list(sandbox.state.contacts)
    action = rng.choice(
        ["lead", "lead", "contact", "edit", "edit", "email", "delete", "merge", "tick"]
    )
    if action == "lead" or not leads:
        body = {"name": f"Acme {rng.randint(1, 4)}", f"custom.{cf['lead']}": rng.choice(VALUES)}
        _created(api.post("lead/", json=body))
    elif action == "contact":
        body = {"lead_id": rng.choice(leads), "name": rng.choice(["Ann", "Bob", "Cy"])}
        emails = [{"email": e, "type": "office"} for e in rng.sample(EMAILS, rng.randint(0, 2))]
        body |= {"emails": emails, f"custom.{cf['contact']}": rng.choice(VALUES)}
        _created(api.post("contact/", json=body))
    elif action == "email" and contacts:
        emails = [{"email": e, "type": "office"} for e in rng.sample(EMAILS, rng.randint(0, 2))]
        _created(api.put(f"contact/{rng.choice(contacts)}/", json={"emails": emails}))
    elif action == "edit":
        change = {
            f"custom.{cf['lead']}": rng.choice([*VALUES, None]),
            "name": f"Acme {rng.randint(1, 4)}",
        }
        _created(api.put(f"lead/{rng.choice(leads)}/", json=change))
    elif action == "delete" and rng.random() < 0.5 and contacts:
        _created(api.delete(f"contact/{rng.choice(contacts)}/"))
    elif action == "delete":
        _created(api.delete(f"lead/{rng.choice(leads)}/"))
    elif action == "merge" and len(leads) > 1:
        source, destination = rng.sample(leads, 2)
        _created(api.post("lead/merge/", json={"source": source, "destination": destination}))
    sandbox.clock.advance(rng.choice([0.0, 0.0, SEARCH_LAG / 3, SEARCH_LAG]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_narrowed_searches_find_what_a_full_scan_finds_while_data_changes(
    sandbox: CloseSandbox, seed: int
) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=10) as api:
        cf = {
            kind: _created(api.post(f"custom_field/{kind}/", json={"name": "Ext", "type": "text"}))[
                "id"
            ]
            for kind in ("lead", "contact")
        }
        narrowed = held = 0
        for _ in range(90):
            _step(api, sandbox, rng, cf)
            held += len(sandbox.state.search_index) > 0
            ids = [
                *list(sandbox.state.leads)[:2],
                *list(sandbox.state.contacts)[:1],
                "lead_missing",
            ]
            for query in _queries(cf["lead"], cf["contact"], ids):
                expected = _full_scan(sandbox, query)
                assert _searched(api, query) == expected, query
                narrowed += bool(expected)
        assert held > 30  # steps where some writes were held back by the lag
        assert narrowed > 200  # the queries found things, not only empty pages


def test_a_lookup_after_the_lag_finds_an_edited_value_and_not_the_old_one(
    sandbox: CloseSandbox,
) -> None:
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=10) as api:
        cf = _created(api.post("custom_field/lead/", json={"name": "Ext", "type": "text"}))["id"]
        field = {"type": "custom_field", "custom_field_id": cf}
        lead = _created(api.post("lead/", json={"name": "A", f"custom.{cf}": "OLD"}))
        assert _searched(api, _term(field, ["OLD"])) == []  # the index builds on this first use
        sandbox.clock.advance(SEARCH_LAG)
        assert _searched(api, _term(field, ["old"])) == [lead["id"]]
        _created(api.put(f"lead/{lead['id']}/", json={f"custom.{cf}": "NEW"}))
        assert _searched(api, _term(field, ["OLD"])) == [lead["id"]]  # stale until the lag
        assert _searched(api, _term(field, ["NEW"])) == []
        sandbox.clock.advance(SEARCH_LAG)
        assert _searched(api, _term(field, ["OLD"])) == []
        assert _searched(api, _term(field, ["NEW"])) == [lead["id"]]
        _created(api.delete(f"lead/{lead['id']}/"))
        assert _searched(api, _term(field, ["NEW"])) == [lead["id"]]  # still found until the lag
        sandbox.clock.advance(SEARCH_LAG)
        assert _searched(api, _term(field, ["NEW"])) == []


def test_an_unknown_node_is_refused_even_when_no_object_reaches_it(sandbox: CloseSandbox) -> None:
    query = {"type": "and", "queries": [{"type": "id", "values": []}, {"type": "bogus"}]}
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=10) as api:
        response = api.post("data/search/", json={"query": query})
    assert response.status_code == 400
    assert "bogus" in response.text


def test_lookups_by_external_id_email_and_name_test_only_their_candidates(
    sandbox: CloseSandbox,
) -> None:
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=10) as api:
        cf = _created(api.post("custom_field/lead/", json={"name": "Ext", "type": "text"}))["id"]
        for i in range(40):
            lead = _created(api.post("lead/", json={"name": f"Firm {i}", f"custom.{cf}": f"X-{i}"}))
            email = {"email": f"p{i}@firm.io", "type": "office"}
            _created(api.post("contact/", json={"lead_id": lead["id"], "emails": [email]}))
    sandbox.clock.advance(SEARCH_LAG)
    lead = {"type": "object_type", "object_type": "lead"}
    contact = {"type": "object_type", "object_type": "contact"}
    name = {"type": "regular_field", "object_type": "lead", "field_name": "name"}
    by_lead_email = {
        "type": "has_related",
        "this_object_type": "lead",
        "related_object_type": "contact",
        "related_query": _has_email("p3@firm.io", "p7@firm.io"),
    }
    lookups = [
        {
            "type": "and",
            "queries": [
                lead,
                _term({"type": "custom_field", "custom_field_id": cf}, ["x-3", "X-7"]),
            ],
        },
        {"type": "and", "queries": [contact, _has_email("p3@firm.io", "P7@firm.io")]},
        {"type": "and", "queries": [lead, by_lead_email]},
        {
            "type": "or",
            "queries": [
                {
                    "type": "field_condition",
                    "field": name,
                    "condition": {"type": "text", "mode": "phrase", "value": v},
                }
                for v in ("Firm 3", "firm 7")
            ],
        },
    ]
    state = sandbox.state
    for query in lookups:
        with state.lock:
            indexed = state.search_records()
            candidates = candidate_objects(indexed, query)
        assert len(_full_scan(sandbox, query)) == 2, query
        # "firm" is in every name: a phrase narrows by its first word only, so names take 40
        assert len(candidates) <= (40 if query["type"] == "or" else 2), query
    first_words = {
        "type": "field_condition",
        "field": name,
        "condition": {"type": "text", "value": "7"},
    }
    with state.lock:
        assert len(candidate_objects(state.search_records(), first_words)) == 1


def test_a_lead_is_found_by_its_contacts_email_as_search_sees_the_contact(
    sandbox: CloseSandbox,
) -> None:
    def leads_by_email(email: str) -> dict[str, Any]:
        related = {
            "type": "has_related",
            "this_object_type": "lead",
            "related_object_type": "contact",
            "related_query": _has_email(email),
        }
        lead = {"type": "object_type", "object_type": "lead"}
        return {"type": "and", "queries": [lead, related]}

    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=10) as api:
        first = _created(api.post("lead/", json={"name": "First"}))
        second = _created(api.post("lead/", json={"name": "Second"}))
        email = {"email": "old@x.io", "type": "office"}
        person = _created(api.post("contact/", json={"lead_id": first["id"], "emails": [email]}))
        sandbox.clock.advance(SEARCH_LAG)
        assert _searched(api, leads_by_email("old@x.io")) == [first["id"]]
        new_email = [{"email": "new@x.io", "type": "office"}]
        _created(api.put(f"contact/{person['id']}/", json={"emails": new_email}))
        for query in (leads_by_email("old@x.io"), leads_by_email("new@x.io")):
            assert _searched(api, query) == _full_scan(sandbox, query)
        assert _searched(api, leads_by_email("old@x.io")) == [first["id"]]  # the lag holds it
        sandbox.clock.advance(SEARCH_LAG)
        assert _searched(api, leads_by_email("new@x.io")) == [first["id"]]
        body = {"source": first["id"], "destination": second["id"]}
        _created(api.post("lead/merge/", json=body))  # moves the contact, held by the lag
        # First is deleted and its contact moved, but search still sees both as they were
        assert _searched(api, leads_by_email("new@x.io")) == [first["id"]]
        assert _searched(api, leads_by_email("new@x.io")) == _full_scan(
            sandbox, leads_by_email("new@x.io")
        )
        sandbox.clock.advance(SEARCH_LAG)
        assert _searched(api, leads_by_email("new@x.io")) == [second["id"]]
