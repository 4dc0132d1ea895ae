"""The live run's safety rails and difference report, exercised on the sandbox posing as Close.

A :class:`ContractTarget` without a sandbox behaves as it does against the real Close; here it
points at the suite's sandbox, so what it refuses, skips and cleans up is checked for real.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from tests.sandbox.contract_report import ContractRecorder, Observation, differences
from tests.sandbox.live_target import NAME_PREFIX, ContractTarget


def foreign_lead(sandbox: CloseSandbox, name: str) -> str:
    """A lead someone else made (created without the guard)."""
    auth = (sandbox.api_key, "")
    return str(httpx.post(sandbox.api_url + "lead/", json={"name": name}, auth=auth).json()["id"])


def posing_as_close(sandbox: CloseSandbox, *, writes: bool) -> ContractTarget:
    return ContractTarget(sandbox.api_url, sandbox.api_key, None, writes)


@pytest.fixture
def live(sandbox: CloseSandbox) -> Iterator[tuple[ContractTarget, httpx.Client]]:
    target = posing_as_close(sandbox, writes=True)
    with target.client({}) as client:
        yield target, client


def test_without_the_write_opt_in_a_write_skips_the_test_before_it_is_sent(
    sandbox: CloseSandbox,
) -> None:
    target = posing_as_close(sandbox, writes=False)
    with target.client({}) as client:
        assert client.get("lead/").status_code == 200  # reads go through
        with pytest.raises(pytest.skip.Exception, match="CLOSE_LIVE_WRITES=1"):
            client.post("lead/", json={"name": target.name("A")})
    assert sandbox.state.leads == {}


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("lead/", {"name": "Acme"}, "must be named by target.name"),
        ("contact/", {"name": "Solo"}, "without lead_id would create an unnamed lead"),
        ("opportunity/", {"value": 1}, "without lead_id would create an unnamed lead"),
    ],
)
def test_a_write_that_would_create_an_unrecognisable_object_fails(
    live: tuple[ContractTarget, httpx.Client],
    sandbox: CloseSandbox,
    path: str,
    body: dict[str, object],
    message: str,
) -> None:
    _, client = live
    with pytest.raises(pytest.fail.Exception, match=message):
        client.post(path, json=body)
    assert sandbox.state.leads == {}


def test_objects_not_created_by_the_test_are_never_touched(
    live: tuple[ContractTarget, httpx.Client], sandbox: CloseSandbox
) -> None:
    target, client = live
    foreign = foreign_lead(sandbox, "A customer's lead")
    for send in (
        lambda: client.put(f"lead/{foreign}/", json={"name": "x"}),
        lambda: client.delete(f"lead/{foreign}/"),
        lambda: client.post("activity/note/", json={"lead_id": foreign, "note": "x"}),
    ):
        with pytest.raises(pytest.fail.Exception, match="not created here"):
            send()
    own = client.post("lead/", json={"name": target.name("A")}).json()
    assert client.put(f"lead/{own['id']}/", json={"description": "mine"}).status_code == 200
    assert sandbox.state.leads[foreign]["name"] == "A customer's lead"


def test_a_write_that_would_send_a_message_skips(live: tuple[ContractTarget, httpx.Client]) -> None:
    target, client = live
    lead = client.post("lead/", json={"name": target.name("A")}).json()
    with pytest.raises(pytest.skip.Exception, match="would make Close send"):
        client.post("activity/sms/", json={"lead_id": lead["id"], "status": "outbox"})


def test_cleanup_deletes_every_lead_the_test_created_and_nothing_else(
    live: tuple[ContractTarget, httpx.Client], sandbox: CloseSandbox
) -> None:
    target, client = live
    foreign = foreign_lead(sandbox, "keep me")
    own = [client.post("lead/", json={"name": target.name(f"L{i}")}).json()["id"] for i in (1, 2)]
    contact = client.post("contact/", json={"lead_id": own[0], "name": "C"}).json()
    assert contact["id"] in target.created_ids
    assert target.cleanup() == []
    assert set(sandbox.state.leads) == {foreign}
    assert target.name("x").startswith(f"{NAME_PREFIX} {target.run_id} ")


def observation(
    status: int = 200, keys: tuple[str, ...] = ("id",), error: str | None = None
) -> Observation:
    return Observation("GET", "lead/{id}/", status, keys, (), error)


def test_differences_name_the_status_the_fields_and_the_message() -> None:
    recorded = {"t": [observation(keys=("id", "name"))]}
    live = {"t": [observation(404, ("error", "id"), "Lead {id} not found.")], "u": []}
    assert differences(recorded, live) == [
        "t: GET lead/{id}/: status 404 (sandbox 200)",
        "t: GET lead/{id}/: fields the sandbox lacks: error",
        "t: GET lead/{id}/: fields Close did not send: name",
        "t: GET lead/{id}/: message 'Lead {id} not found.' (sandbox None)",
        "u: no sandbox recording (re-record with CLOSE_CONTRACT_RECORD=1)",
    ]
    assert differences(recorded, {"t": [observation(keys=("id", "name"))] * 2}) == []


def test_recorded_paths_and_messages_hide_ids_and_the_run(sandbox: CloseSandbox) -> None:
    recorder = ContractRecorder()
    recorder.current = "t"
    target = ContractTarget(sandbox.api_url, sandbox.api_key, sandbox, writes=True)
    with target.client(recorder.hooks()) as client:
        client.get("lead/lead_" + "x" * 43 + "/")
    (seen,) = recorder.by_test["t"]
    assert (seen.method, seen.path, seen.status) == ("GET", "lead/{id}/", 404)
    assert "lead_" not in (seen.error or "")


def test_the_key_is_not_in_the_targets_repr(sandbox: CloseSandbox) -> None:
    assert sandbox.api_key not in repr(posing_as_close(sandbox, writes=True))
