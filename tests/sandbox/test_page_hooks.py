"""Mid-walk page hooks: data changes between two pages of a list, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox, Mutation, PageHook


@pytest.fixture
def client(sandbox: CloseSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, ""), timeout=5) as c:
        yield c


def _leads(client: httpx.Client, count: int) -> list[str]:
    return [client.post("lead/", json={"name": f"L{i}"}).json()["id"] for i in range(count)]


def _names(page: httpx.Response) -> list[str]:
    return [lead["name"] for lead in page.json()["data"]]


def test_a_delete_after_the_first_page_shifts_the_offset_walk(
    sandbox: CloseSandbox, client: httpx.Client
) -> None:
    ids = _leads(client, 5)
    sandbox.add_page_hook(
        PageHook(
            "/lead/",
            page=1,
            mutations=(
                Mutation("delete", f"/lead/{ids[0]}/"),
                Mutation("create", "/lead/", {"name": "New"}),
            ),
        )
    )
    first = client.get("lead/", params={"_limit": 2})
    assert _names(first) == ["L0", "L1"]
    assert ids[0] not in sandbox.state.leads  # applied before page 1 reached the client
    second = client.get("lead/", params={"_limit": 2, "_skip": 2})
    assert _names(second) == ["L3", "L4"]  # L2 slid under the offset: Close's offset hazard
    [status] = sandbox.page_hooks
    assert (status["seen"], status["fired"], status["results"]) == (1, True, [200, 200])


def test_a_hook_waits_for_its_page_and_fires_once(
    sandbox: CloseSandbox, client: httpx.Client
) -> None:
    ids = _leads(client, 3)
    sandbox.add_page_hook(
        PageHook("/lead/", page=2, mutations=(Mutation("delete", f"/lead/{ids[2]}/"),))
    )
    client.get("lead/", params={"_limit": 1})
    assert len(sandbox.state.leads) == 3
    client.get("lead/", params={"_limit": 1, "_skip": 1})
    client.get("lead/", params={"_limit": 1, "_skip": 2})
    assert len(sandbox.state.leads) == 2
    assert sandbox.page_hooks[0]["seen"] == 2


def test_refused_pages_and_other_paths_do_not_count(
    sandbox: CloseSandbox, client: httpx.Client
) -> None:
    _leads(client, 1)
    sandbox.add_page_hook(
        PageHook("/lead/", mutations=(Mutation("create", "/lead/", {"name": "X"}),))
    )
    assert client.get("lead/", params={"_limit": 100_000}).status_code == 400
    assert client.get("contact/").status_code == 200
    assert client.post("lead/", json={"name": "Y"}).status_code == 200
    assert sandbox.page_hooks[0]["seen"] == 0
    assert client.get("lead/").status_code == 200
    assert sandbox.page_hooks[0]["fired"] is True


def test_a_callable_action_may_call_the_sandbox_over_http(
    sandbox: CloseSandbox, client: httpx.Client
) -> None:
    _leads(client, 2)

    def create_over_http() -> None:
        with httpx.Client(base_url=sandbox.api_url, auth=(sandbox.api_key, "")) as other:
            other.post("lead/", json={"name": "From action"}).raise_for_status()

    sandbox.add_page_hook(PageHook("/lead/", action=create_over_http))
    client.get("lead/", params={"_limit": 1})
    assert "From action" in [lead["name"] for lead in sandbox.state.leads.values()]


def test_the_control_endpoint_arms_lists_and_clears_declarative_hooks(
    sandbox: CloseSandbox, client: httpx.Client
) -> None:
    [lead_id] = _leads(client, 1)
    hook = {
        "path": "/lead/",
        "page": 1,
        "mutations": [{"op": "update", "path": f"/lead/{lead_id}/", "body": {"name": "Renamed"}}],
    }
    with httpx.Client(base_url=sandbox.url, timeout=5) as control:
        armed = control.post("/_sandbox/page_hooks", json=hook).json()["page_hooks"]
        assert armed[0]["mutations"][0]["op"] == "update"
        client.get("lead/")
        assert sandbox.state.leads[lead_id]["name"] == "Renamed"
        assert control.get("/_sandbox/page_hooks").json()["page_hooks"][0]["results"] == [200]
        bad = control.post(
            "/_sandbox/page_hooks",
            json={"path": "/lead/", "mutations": [{"op": "merge", "path": "/x/"}]},
        )
        assert bad.status_code == 400
        assert "op" in bad.json()["error"]
        assert control.delete(
            "/_sandbox/page_hooks", headers={"Content-Type": "application/json"}
        ).json() == {"page_hooks": []}


def test_reset_disarms_hooks(sandbox: CloseSandbox) -> None:
    sandbox.add_page_hook(PageHook("/lead/", mutations=(Mutation("create", "/lead/", {}),)))
    sandbox.reset()
    assert sandbox.page_hooks == []


def test_a_hook_without_changes_or_with_page_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="mutations or an action"):
        PageHook("/lead/")
    with pytest.raises(ValueError, match="page"):
        PageHook("/lead/", page=0, mutations=(Mutation("delete", "/lead/x/"),))
