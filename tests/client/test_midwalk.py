"""Client walks that stay exact while Close changes between pages: events, searches, the
legacy lead ``query``, async.

Each test arms a sandbox page hook that deletes objects already read and creates new ones once
the first page is served; every object that existed for the whole walk must come back exactly
once, and none twice.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from airflow_provider_close.client import AsyncCloseClient, CloseClient
from airflow_provider_close.extraction import iter_extract, resource_spec
from airflow_provider_close.sandbox import CloseSandbox, Mutation, PageHook
from tests.client.conftest import create_leads


def _assert_exact(got: list[str], stable: list[str]) -> None:
    assert len(got) == len(set(got)), "an object came back twice"
    assert set(stable) <= set(got), "an object that existed throughout was skipped"


def test_events_walk_keeps_every_older_event_once_while_new_ones_arrive(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    ids = create_leads(client, 9)
    before = [event["id"] for event in client.iter_events()]
    sandbox.set_limits(max_limit={"event": 3})
    changes = (
        Mutation("delete", f"/lead/{ids[0]}/"),
        Mutation("create", "/lead/", {"name": "New 1"}),
        Mutation("update", f"/lead/{ids[8]}/", {"name": "Renamed"}),
    )
    sandbox.add_page_hook(PageHook("/event/", mutations=changes))
    got = [event["id"] for event in client.iter_events()]
    _assert_exact(got, before)
    assert sandbox.page_hooks[0]["results"] == [200, 200, 200]


def test_the_extraction_engine_lists_events_exactly_under_the_same_churn(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    ids = create_leads(client, 9)
    before = [event["id"] for event in client.iter_events()]
    sandbox.set_limits(max_limit={"event": 3})
    deletes = tuple(Mutation("delete", f"/lead/{lead_id}/") for lead_id in ids[:2])
    sandbox.add_page_hook(PageHook("/event/", mutations=deletes))
    got = [event["id"] for event in iter_extract(client, resource_spec("event"))]
    _assert_exact(got, before)


def _lead_body() -> dict[str, object]:
    return {
        "query": {"type": "object_type", "object_type": "lead"},
        "_fields": {"lead": ["id", "name"]},
    }


def test_a_lead_search_is_walked_by_keyset_and_stays_exact(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    ids = create_leads(client, 11)
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
    sandbox.set_limits(max_limit={"search": 4})
    deletes = tuple(Mutation("delete", f"/lead/{lead_id}/") for lead_id in ids[:3])
    creates = (Mutation("create", "/lead/", {"name": "New"}),)
    sandbox.add_page_hook(PageHook("/data/search/", method="POST", mutations=deletes + creates))
    got = [lead["id"] for lead in client.iter_search(_lead_body())]
    _assert_exact(got, ids[3:])


def test_a_sorted_search_follows_the_cursor(client: CloseClient, sandbox: CloseSandbox) -> None:
    ids = create_leads(client, 5)
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
    sandbox.set_limits(max_limit={"search": 2})
    field = {"type": "regular_field", "object_type": "lead", "field_name": "name"}
    body = {**_lead_body(), "sort": [{"direction": "desc", "field": field}]}
    got = [lead["id"] for lead in client.iter_search(body)]
    assert got == list(reversed(ids))  # Close's order kept: a sort of its own is not re-keyed


async def test_the_async_client_walks_activities_by_keyset(
    client: CloseClient, async_client: AsyncCloseClient, sandbox: CloseSandbox
) -> None:
    lead = client.post("lead/", {"name": "Owner"})["id"]
    notes = [
        client.post("activity/note/", {"lead_id": lead, "note": f"n{n}"})["id"] for n in range(10)
    ]
    sandbox.set_limits(max_limit={"activity": 4})
    # Both ends go: whichever way a walk orders them, some deleted rows were already read.
    ends = [*notes[:2], *notes[-2:]]
    deletes = tuple(Mutation("delete", f"/activity/note/{i}/") for i in ends)
    sandbox.add_page_hook(PageHook("/activity/note/", mutations=deletes))
    got = [note["id"] async for note in async_client.iter_items("activity/note/")]
    _assert_exact(got, notes[2:-2])


def _tie(sandbox: CloseSandbox, lead_ids: list[str]) -> None:
    """Give these leads one ``date_created`` (the first one's), as a bulk import can."""
    state = sandbox.state
    with state.lock:
        moment = state.leads[lead_ids[0]]["date_created"]
        for lead_id in lead_ids[1:]:
            state.change("lead", {**state.leads[lead_id], "date_created": moment})


def test_a_legacy_lead_query_is_walked_by_keyset_and_stays_exact(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    sandbox.set_search_lag(0)  # the changes below must reach the index the query reads
    ids = create_leads(client, 11, prefix="Match")
    create_leads(client, 3, prefix="Other")
    _tie(sandbox, ids[1:6])  # five leads share one date_created, across the first page end
    sandbox.set_limits(max_limit={"lead": 4})
    deletes = tuple(Mutation("delete", f"/lead/{lead_id}/") for lead_id in ids[:3])
    creates = (Mutation("create", "/lead/", {"name": "Match new"}),)
    sandbox.add_page_hook(PageHook("/lead/", mutations=deletes + creates))
    got = [lead["id"] for lead in client.iter_items("lead/", {"query": "name:Match"})]
    _assert_exact(got, ids[3:])
    assert sandbox.page_hooks[0]["results"] == [200, 200, 200, 200]
    listed = [r for r in sandbox.requests if r.path == "/lead/" and r.status == 200]
    queries = [parse_qs(r.query)["query"][0] for r in listed if r.method == "GET"]
    assert queries[0] == "(name:Match) sort:date_created"  # the bound lives in the query
    assert all(q.startswith('(name:Match) date_created >= "') for q in queries[1:])
    sent = {name for r in listed for name in parse_qs(r.query)}
    assert sent <= {"query", "_limit", "_skip"}  # only what Close documents for GET /lead/


def test_a_lead_query_with_its_own_sort_keeps_it(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    sandbox.set_search_lag(0)
    ids = create_leads(client, 5, prefix="Match")
    sandbox.set_limits(max_limit={"lead": 2})
    got = [
        lead["id"]
        for lead in client.iter_items("lead/", {"query": "name:Match sort:-date_created"})
    ]
    assert got == list(reversed(ids))  # Close's order kept, offset-paged and deduplicated


def _date_created_sort(direction: str) -> list[dict[str, object]]:
    field = {"type": "regular_field", "object_type": "lead", "field_name": "date_created"}
    return [{"direction": direction, "field": field}]


def test_a_search_sorted_newest_first_is_walked_by_keyset_and_stays_exact(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    ids = create_leads(client, 11)
    _tie(sandbox, ids[5:10])  # ties across the first page end, newest first
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
    sandbox.set_limits(max_limit={"search": 4})
    # Newest first, page 1 holds ids[10] and four of the tied ids[5:10]; delete three of it.
    deletes = tuple(Mutation("delete", f"/lead/{lead_id}/") for lead_id in (ids[10], *ids[5:7]))
    creates = (Mutation("create", "/lead/", {"name": "New"}),)
    sandbox.add_page_hook(PageHook("/data/search/", method="POST", mutations=deletes + creates))
    sandbox.set_search_lag(0)
    body = {**_lead_body(), "sort": _date_created_sort("desc")}
    got = [lead["id"] for lead in client.iter_search(body)]
    stable = [i for i in ids if i not in (ids[10], *ids[5:7])]
    _assert_exact(got, stable)
    assert got[-1] == ids[0]  # the caller's order kept: newest first
    assert sandbox.page_hooks[0]["results"] == [200, 200, 200, 200]


def test_a_search_sorted_on_another_field_never_repeats_an_object(
    client: CloseClient, sandbox: CloseSandbox
) -> None:
    create_leads(client, 9)
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
    sandbox.set_search_lag(0)  # the hook's creates reach search at once
    sandbox.set_limits(max_limit={"search": 3})
    field = {"type": "regular_field", "object_type": "lead", "field_name": "name"}
    # Leads named to sort first arrive after page 1: a position cursor re-serves page 1's rows.
    creates = tuple(Mutation("create", "/lead/", {"name": f"A {n}"}) for n in range(3))
    sandbox.add_page_hook(PageHook("/data/search/", method="POST", mutations=creates))
    body = {**_lead_body(), "sort": [{"direction": "asc", "field": field}]}
    got = [lead["id"] for lead in client.iter_search(body)]
    assert len(got) == len(set(got)), "an object came back twice"
