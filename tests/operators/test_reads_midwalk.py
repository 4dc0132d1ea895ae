"""Every list operator stays exact while Close changes between its pages (real HTTP, sandbox).

A page hook deletes rows the walk has already read and creates new ones right after the first
page is served, the case that makes an offset walk skip rows. Pages are kept small by a small
``max_limit``, which the client learns from Close's 400 on its first request. Every object
that exists for the whole walk must come back exactly once; no object may come back twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close.client import CloseClient
from airflow_provider_close.operators.reads import CloseListOperator
from airflow_provider_close.sandbox import CloseSandbox, Mutation, PageHook
from tests.operators.fakes import FakeTaskInstance as FakeTI

PAGE = 4


@dataclass(frozen=True)
class Kind:
    """How to list, create and delete one kind of object."""

    resource: str
    path: str  # the object path prefix, e.g. "/activity/call/"
    limit_key: str  # the sandbox's page-limit resource for its list
    body: Callable[[str, int], dict[str, Any]]  # (lead id, n) -> create body
    list_path: str | None = None  # the list request, when not ``path`` (search)

    @property
    def hooked(self) -> tuple[str, str]:
        listed = self.list_path or self.path
        return ("POST" if listed == "/data/search/" else "GET"), listed


def _named(n: int) -> str:
    return f"obj {n}"


KINDS = [
    Kind("lead", "/lead/", "search", lambda _lead, n: {"name": _named(n)}, "/data/search/"),
    Kind(
        "contact",
        "/contact/",
        "search",
        lambda lead, n: {"lead_id": lead, "name": _named(n)},
        "/data/search/",
    ),
    Kind("opportunity", "/opportunity/", "opportunity", lambda lead, _n: {"lead_id": lead}),
    Kind("task", "/task/", "task", lambda lead, n: {"lead_id": lead, "text": _named(n)}),
    Kind(
        "activity",
        "/activity/note/",
        "activity",
        lambda lead, _n: {"lead_id": lead, "note": "x"},
        "/activity/",
    ),
    Kind(
        "activity.call",
        "/activity/call/",
        "activity",
        lambda lead, n: {"lead_id": lead, "direction": "outbound", "duration": n},
    ),
    Kind(
        "activity.sms",
        "/activity/sms/",
        "activity",
        lambda lead, n: {"lead_id": lead, "status": "draft", "text": _named(n)},
    ),
    Kind(
        "activity.note",
        "/activity/note/",
        "activity",
        lambda lead, n: {"lead_id": lead, "note": _named(n)},
    ),
    Kind(
        "activity.email",
        "/activity/email/",
        "activity",
        lambda lead, n: {"lead_id": lead, "status": "draft", "subject": _named(n)},
    ),
]


@pytest.fixture
def client(sandbox: CloseSandbox) -> Any:
    with CloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as made:
        yield made


def _run(op: CloseListOperator) -> Any:
    return op.execute({"ti": FakeTI()})  # type: ignore[arg-type]


def _listed(tmp_path: Path, output: str, **kwargs: Any) -> list[str]:
    """Run the list operator to XCom or to a file; return the ids it produced, in order."""
    if output == "xcom":
        return [row["id"] for row in _run(CloseListOperator(task_id="l", **kwargs))]
    target = tmp_path / "rows.jsonl"
    _run(CloseListOperator(task_id="l", output_path=str(target), **kwargs))
    return [json.loads(line)["id"] for line in target.read_text().splitlines()]


def _churn_after_first_page(
    sandbox: CloseSandbox, kind: Kind, doomed: list[str], lead_id: str
) -> None:
    """Delete the doomed rows (all on page 1) and create two new rows once page 1 is served."""
    method, path = kind.hooked
    deletes = [Mutation("delete", f"{kind.path}{object_id}/") for object_id in doomed]
    creates = [Mutation("create", kind.path, kind.body(lead_id, 100 + n)) for n in range(2)]
    sandbox.add_page_hook(PageHook(path, method=method, mutations=(*deletes, *creates)))


def _check(sandbox: CloseSandbox, ids: list[str], stable: list[str]) -> None:
    [hook] = sandbox.page_hooks
    assert hook["fired"]
    assert all(status == 200 for status in hook["results"])
    assert len(ids) == len(set(ids)), "an object came back twice"
    missing = set(stable) - set(ids)
    assert not missing, f"{len(missing)} objects that existed throughout were skipped"


@pytest.mark.parametrize("output", ["xcom", "file"])
@pytest.mark.parametrize("kind", KINDS, ids=[k.resource for k in KINDS])
def test_stable_objects_come_back_exactly_once_while_others_come_and_go(
    kind: Kind,
    output: str,
    *,
    sandbox: CloseSandbox,
    client: CloseClient,
    close_conn: Callable[..., str],
    tmp_path: Path,
) -> None:
    owner = client.post("lead/", json={"name": "Owner"})["id"]
    made = [
        client.post(kind.path.strip("/") + "/", json=kind.body(owner, n))["id"] for n in range(11)
    ]
    doomed, stable = made[:3], made[3:]
    sandbox.clock.advance(sandbox.search_lag)  # leads/contacts list through search (§9b)
    sandbox.set_limits(max_limit={kind.limit_key: PAGE})
    _churn_after_first_page(sandbox, kind, doomed, owner)
    ids = _listed(tmp_path, output, resource=kind.resource, max_items=100)
    _check(sandbox, ids, [*stable, owner] if kind.resource == "lead" else stable)
    assert not set(doomed) & set(ids[PAGE:])  # deleted before page 2: only page 1 may hold them


@pytest.mark.parametrize("output", ["xcom", "file"])
def test_meetings_stay_exact_too(
    output: str,
    sandbox: CloseSandbox,
    client: CloseClient,
    close_conn: Callable[..., str],
    tmp_path: Path,
) -> None:
    owner = client.post("lead/", json={"name": "Owner"})["id"]
    made = [sandbox.state.insert_activity("meeting", lead_id=owner)["id"] for _ in range(11)]
    doomed, stable = made[:3], made[3:]
    sandbox.set_limits(max_limit={"activity": PAGE})

    def create_two() -> None:
        for _ in range(2):
            sandbox.state.insert_activity("meeting", lead_id=owner)

    deletes = tuple(Mutation("delete", f"/activity/meeting/{i}/") for i in doomed)
    sandbox.add_page_hook(PageHook("/activity/meeting/", mutations=deletes, action=create_two))
    ids = _listed(tmp_path, output, resource="activity.meeting", max_items=100)
    _check(sandbox, ids, stable)


@pytest.mark.parametrize("output", ["xcom", "file"])
def test_the_legacy_lead_query_stays_exact_too(
    output: str,
    sandbox: CloseSandbox,
    client: CloseClient,
    close_conn: Callable[..., str],
    tmp_path: Path,
) -> None:
    sandbox.set_search_lag(0)  # the query reads the search index: let the churn reach it
    made = [client.post("lead/", json={"name": _named(n)})["id"] for n in range(11)]
    client.post("lead/", json={"name": "unrelated"})
    doomed, stable = made[:3], made[3:]
    sandbox.set_limits(max_limit={"lead": PAGE})
    deletes = tuple(Mutation("delete", f"/lead/{lead_id}/") for lead_id in doomed)
    creates = tuple(Mutation("create", "/lead/", {"name": _named(100 + n)}) for n in range(2))
    sandbox.add_page_hook(PageHook("/lead/", mutations=(*deletes, *creates)))
    ids = _listed(tmp_path, output, resource="lead", filters={"query": "name:obj"}, max_items=100)
    _check(sandbox, ids, stable)
    assert not set(doomed) & set(ids[PAGE:])
