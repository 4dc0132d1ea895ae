"""Change extraction stays exact while Close changes between its pages (real HTTP, sandbox).

A page hook deletes objects the walk has already read and creates new ones once the first
page is served; every object changed in the window that exists for the whole walk must come
back exactly once, and none twice (close-api.md §9b).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from airflow_provider_close.client import CloseClient
from airflow_provider_close.extraction.changes import iter_changes
from airflow_provider_close.extraction.keyset import KeysetStats
from airflow_provider_close.extraction.windows import Window
from airflow_provider_close.sandbox import CloseSandbox, Mutation, PageHook

PAGE = 4

#: object type -> (object path, list path and method the hook counts, sandbox limit key)
KINDS = {
    "opportunity": ("/opportunity/", "GET", "/opportunity/", "opportunity"),
    "task": ("/task/", "GET", "/task/", "task"),
    "activity.call": ("/activity/call/", "GET", "/activity/call/", "activity"),
    "lead": ("/lead/", "POST", "/data/search/", "search"),
    "contact": ("/contact/", "POST", "/data/search/", "search"),
}


def _body(object_type: str, lead_id: str, n: int) -> dict[str, object]:
    if object_type == "lead":
        return {"name": f"obj {n}"}
    if object_type == "task":
        return {"lead_id": lead_id, "text": f"obj {n}"}
    if object_type == "activity.call":
        return {"lead_id": lead_id, "direction": "outbound", "duration": n}
    return (
        {"lead_id": lead_id, "name": f"obj {n}"}
        if object_type == "contact"
        else {"lead_id": lead_id}
    )


@pytest.mark.parametrize("object_type", list(KINDS))
def test_changes_stay_exact_while_objects_come_and_go_mid_walk(
    object_type: str, sandbox: CloseSandbox
) -> None:
    path, method, listed, limit_key = KINDS[object_type]
    with CloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        owner = client.post("lead/", {"name": "Owner"})["id"]
        made = [
            client.post(path.strip("/") + "/", _body(object_type, owner, n))["id"]
            for n in range(11)
        ]
        doomed, stable = made[:3], made[3:]
        sandbox.clock.advance(sandbox.search_lag)  # leads/contacts are read through search
        sandbox.set_search_lag(0)  # and the hook's changes must reach it
        now = sandbox.clock.now()
        window = Window(now - timedelta(hours=1), now + timedelta(hours=1))
        sandbox.set_limits(max_limit={limit_key: PAGE})
        deletes = tuple(Mutation("delete", f"{path}{object_id}/") for object_id in doomed)
        creates = tuple(
            Mutation("create", path, _body(object_type, owner, 100 + n)) for n in range(2)
        )
        sandbox.add_page_hook(PageHook(listed, method=method, mutations=(*deletes, *creates)))
        stats = KeysetStats()
        got = [row["id"] for row in iter_changes(client, object_type, window, stats, now=now)]
    [hook] = sandbox.page_hooks
    assert hook["fired"]
    assert all(status == 200 for status in hook["results"])
    assert len(got) == len(set(got)), "an object came back twice"
    assert set(stable) <= set(got), "an object changed in the window was skipped"


def test_a_lead_edited_during_the_walk_of_an_open_window_is_written_once(
    sandbox: CloseSandbox,
) -> None:
    with CloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        made = [client.post("lead/", {"name": f"obj {n}"})["id"] for n in range(9)]
        sandbox.clock.advance(sandbox.search_lag)
        sandbox.set_search_lag(0)
        now = sandbox.clock.now()
        window = Window(now - timedelta(hours=1), now + timedelta(hours=1))  # still open
        sandbox.set_limits(max_limit={"search": PAGE})
        # Edit a lead page 1 returned: its date_updated moves ahead of the walk, still inside.
        edit = Mutation("update", f"/lead/{made[0]}/", {"name": "edited"})
        sandbox.add_page_hook(PageHook("/data/search/", method="POST", mutations=(edit,)))
        got = [row["id"] for row in iter_changes(client, "lead", window, KeysetStats(), now=now)]
    assert sandbox.page_hooks[0]["results"] == [200]
    assert sorted(got) == sorted(made)  # each once, the edited one included
