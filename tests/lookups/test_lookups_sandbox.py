"""The lookups against the sandbox, over real HTTP through the real clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_close.client.asynchronous import AsyncCloseClient
from airflow_provider_close.client.sync import CloseClient
from airflow_provider_close.lookups.activities import find_existing_activity, find_existing_task
from airflow_provider_close.lookups.custom_fields import CustomFieldResolver
from airflow_provider_close.lookups.leads import LeadMatchKey, afind_leads_by_key, find_leads_by_key
from airflow_provider_close.sandbox import CloseSandbox, Mutation, PageHook


@pytest.fixture
def client(seeded_sandbox: CloseSandbox) -> Iterator[CloseClient]:
    with CloseClient(api_key=seeded_sandbox.api_key, base_url=seeded_sandbox.api_url) as c:
        yield c


def _external_id_key(client: CloseClient) -> LeadMatchKey:
    return LeadMatchKey("custom_field", CustomFieldResolver(client, "lead").key_for("External ID"))


def _search_requests(sandbox: CloseSandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path.endswith("/data/search/"))


def test_find_by_custom_field_is_one_search_per_chunk(
    seeded_sandbox: CloseSandbox, client: CloseClient
) -> None:
    key = _external_id_key(client)
    values = [f"EXT-{1000 + i}" for i in range(5)] + ["EXT-NOPE", "EXT-100"]
    before = _search_requests(seeded_sandbox)
    found = find_leads_by_key(client, key, values, fields=["url"], chunk_size=4)
    assert _search_requests(seeded_sandbox) - before == 2
    assert [len(found[v]) for v in values] == [1, 1, 1, 1, 1, 0, 0]
    lead = found["EXT-1000"][0]
    assert lead[key.lead_field] == "EXT-1000"
    assert "url" in lead
    assert lead["id"] in seeded_sandbox.state.leads


def test_find_by_name_is_exact(seeded_sandbox: CloseSandbox, client: CloseClient) -> None:
    lead = next(iter(seeded_sandbox.state.leads.values()))
    name = lead["name"]
    first_word = name.split()[0]
    found = find_leads_by_key(client, LeadMatchKey("name"), [name, first_word, name.lower()])
    assert [x["id"] for x in found[name]] == [lead["id"]]
    assert found[first_word] == []  # a word search would have matched: re-checked exactly
    assert found[name.lower()] == []


def test_find_by_contact_email_ignores_case(
    seeded_sandbox: CloseSandbox, client: CloseClient
) -> None:
    contact = next(iter(seeded_sandbox.state.contacts.values()))
    email = contact["emails"][0]["email"]
    found = find_leads_by_key(client, LeadMatchKey("contact_email"), [email.upper(), "no@x.io"])
    assert [x["id"] for x in found[email.upper()]] == [contact["lead_id"]]
    assert found["no@x.io"] == []


async def test_async_finder_agrees_with_the_sync_one(
    seeded_sandbox: CloseSandbox, client: CloseClient
) -> None:
    key = _external_id_key(client)
    values = ["EXT-1003", "EXT-1004", "missing"]
    expected = find_leads_by_key(client, key, values)
    async with AsyncCloseClient(
        api_key=seeded_sandbox.api_key, base_url=seeded_sandbox.api_url
    ) as aclient:
        assert await afind_leads_by_key(aclient, key, values) == expected


def test_find_existing_activity_and_task(seeded_sandbox: CloseSandbox, client: CloseClient) -> None:
    lead_id = next(iter(seeded_sandbox.state.leads))
    call = {
        "lead_id": lead_id,
        "direction": "outbound",
        "duration": 95,
        "phone": "+14155550123",
        "note": "Talked pricing",
        "activity_at": "2026-03-01T12:00:00+02:00",
    }
    assert find_existing_activity(client, "call", call) is None
    created = client.post("activity/call/", call)
    found = find_existing_activity(client, "call", {**call, "note": " Talked  pricing "})
    assert found is not None
    assert found["id"] == created["id"]
    assert find_existing_activity(client, "call", {**call, "duration": 96}) is None
    task = {"_type": "lead", "lead_id": lead_id, "text": "Send the quote", "date": "2026-03-10"}
    assert find_existing_task(client, task) is None
    made = client.post("task/", task)
    existing = find_existing_task(client, task)
    assert existing is not None
    assert existing["id"] == made["id"]


def test_created_since_ignores_an_older_look_alike(
    seeded_sandbox: CloseSandbox, client: CloseClient
) -> None:
    """A retry must find what *this* attempt created, never last week's identical call."""
    from datetime import timedelta

    lead_id = next(iter(seeded_sandbox.state.leads))
    payload = {"lead_id": lead_id, "direction": "outbound", "duration": 42, "note": "same"}
    old = client.post("activity/call/", json=payload)
    seeded_sandbox.clock.advance(3600)
    cutoff = seeded_sandbox.clock.now() - timedelta(seconds=1)
    assert find_existing_activity(client, "call", payload)["id"] == old["id"]
    assert find_existing_activity(client, "call", payload, created_since=cutoff) is None
    new = client.post("activity/call/", json=payload)
    found = find_existing_activity(client, "call", payload, created_since=cutoff)
    assert found is not None
    assert found["id"] == new["id"]
    task = {"lead_id": lead_id, "text": "same task", "date": "2026-01-05"}
    client.post("task/", json=task)
    seeded_sandbox.clock.advance(3600)
    later = seeded_sandbox.clock.now() - timedelta(seconds=1)
    assert find_existing_task(client, task) is not None
    assert find_existing_task(client, task, created_since=later) is None


def test_email_fingerprint_tells_recipients_apart(
    seeded_sandbox: CloseSandbox, client: CloseClient
) -> None:
    lead_id = next(iter(seeded_sandbox.state.leads))
    base = {"lead_id": lead_id, "status": "sent", "subject": "Quote", "body_text": "Hi"}
    sent = client.post("activity/email/", json={**base, "to": ["a@example.com"]})
    assert (
        find_existing_activity(client, "email", {**base, "to": ["a@example.com"]})["id"]
        == sent["id"]
    )
    assert find_existing_activity(client, "email", {**base, "to": ["b@example.com"]}) is None


def test_lookup_walks_stay_exact_while_leads_and_activities_move_mid_walk(
    sandbox: CloseSandbox,
) -> None:
    with CloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        leads = [client.post("lead/", {"name": f"Acme {n}"}) for n in range(9)]
        names = [lead["name"] for lead in leads]
        sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
        sandbox.set_limits(max_limit={"search": 3, "activity": 3})
        doomed = tuple(Mutation("delete", f"/lead/{lead['id']}/") for lead in leads[:2])
        sandbox.add_page_hook(PageHook("/data/search/", method="POST", mutations=doomed))
        found = find_leads_by_key(client, LeadMatchKey("name"), names, chunk_size=9)
        assert [len(found[name]) for name in names[2:]] == [1] * 7

        owner = leads[-1]["id"]
        notes = [
            client.post("activity/note/", {"lead_id": owner, "note": f"n{n}"}) for n in range(8)
        ]
        gone = tuple(Mutation("delete", f"/activity/note/{note['id']}/") for note in notes[:3])
        sandbox.add_page_hook(PageHook("/activity/note/", mutations=gone))
        payload = {"lead_id": owner, "note": "n7"}
        assert find_existing_activity(client, "note", payload) == notes[7]
