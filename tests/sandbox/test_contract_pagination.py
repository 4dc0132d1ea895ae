"""Contract: offset pagination, Close's max ``_limit``/``_skip`` per resource and their errors."""

from __future__ import annotations

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.fixtures.api import api, ok
from tests.sandbox.live_target import ContractTarget

__all__ = ["api"]

pytestmark = pytest.mark.live


@pytest.mark.parametrize(
    ("path", "max_limit"),
    [
        ("lead/", 200),
        ("contact/", 100),
        ("opportunity/", 250),
        ("task/", 1000),
        ("activity/", 100),
        ("activity/call/", 100),
        ("activity/sms/", 100),
        ("user/", 1000),
        ("custom_field/lead/", 1000),
        ("event/", 50),
    ],
)
def test_limit_above_the_resource_maximum_is_refused(
    api: httpx.Client, path: str, max_limit: int
) -> None:
    assert api.get(path, params={"_limit": max_limit}).status_code == 200
    response = api.get(path, params={"_limit": max_limit + 1})
    assert response.status_code == 400
    assert response.json() == {
        "error": "The limit you set is larger than the maximum limit for this resource "
        f"(max_limit = {max_limit})."
    }


def test_skip_above_the_maximum_is_refused_with_closes_message(api: httpx.Client) -> None:
    response = api.get("activity/email/", params={"_skip": 250_001})
    assert response.status_code == 400
    assert response.json() == {
        "error": "The skip you set is larger than the maximum skip for this resource "
        "(max_skip = 250000). Please refine your search query."
    }


@pytest.mark.parametrize("name", ["_limit", "_skip"])
def test_non_integer_paging_values_are_refused(api: httpx.Client, name: str) -> None:
    response = api.get("lead/", params={name: "x"})
    assert response.status_code == 400
    assert response.json() == {"error": f'{name} must be an integer (got "x" instead).'}


def test_runtime_limits_come_from_state(api: httpx.Client, sandbox: CloseSandbox) -> None:
    sandbox.state.limits.max_limit["lead"] = 5
    sandbox.state.limits.max_skip["lead"] = 10
    assert api.get("lead/", params={"_limit": 6}).status_code == 400
    assert "max_skip = 10" in api.get("lead/", params={"_skip": 11}).json()["error"]


@pytest.mark.sandbox_only("assumes an empty organisation")
def test_walking_pages_returns_every_item_once(api: httpx.Client) -> None:
    created = [ok(api.post("lead/", json={"name": f"L{i}"}))["id"] for i in range(7)]
    seen: list[str] = []
    skip, has_more = 0, True
    while has_more:
        page = ok(api.get("lead/", params={"_skip": skip, "_limit": 3}))
        assert set(page) == {"data", "has_more"}
        seen += [lead["id"] for lead in page["data"]]
        skip, has_more = skip + 3, page["has_more"]
    assert seen == created


def test_method_override_get_reads_params_from_the_body(
    api: httpx.Client, target: ContractTarget
) -> None:
    lead = ok(api.post("lead/", json={"name": target.name("A")}))
    other = ok(api.post("lead/", json={"name": target.name("B")}))
    ok(api.post("contact/", json={"lead_id": lead["id"], "name": "C"}))
    ok(api.post("contact/", json={"lead_id": other["id"], "name": "Other"}))
    response = api.post(
        "contact/",
        json={"_params": {"lead_id": lead["id"]}},
        headers={"x-http-method-override": "GET"},
    )
    assert [c["name"] for c in ok(response)["data"]] == ["C"]


def test_bulk_insert_helper_produces_listable_activities(
    api: httpx.Client, sandbox: CloseSandbox
) -> None:
    for index in range(250):
        sandbox.state.insert_activity(
            "call",
            lead_id="lead_x",
            date_created=f"2024-01-01T00:{index // 60:02d}:{index % 60:02d}Z",
        )
    first = ok(api.get("activity/call/", params={"_limit": 100, "_order_by": "date_created"}))
    assert first["has_more"] is True
    assert first["data"][0]["date_created"] == "2024-01-01T00:00:00.000000+00:00"
    last = ok(api.get("activity/call/", params={"_limit": 100, "_skip": 200}))
    assert (len(last["data"]), last["has_more"]) == (50, False)
