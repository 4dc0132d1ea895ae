"""Lead search (Advanced Filtering) against the sandbox, and its pure body checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_close.client import ClosePaginationLimitError, ClosePayloadError
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.operators.reads_search import (
    DEFAULT_LEAD_FIELDS,
    CloseSearchLeadsOperator,
    lead_search_body,
)
from airflow_provider_close.sandbox import CloseSandbox, Mutation, PageHook
from tests.operators.fail_now import fails_now

NAME_IS_ACME = {
    "type": "field_condition",
    "field": {"type": "regular_field", "object_type": "lead", "field_name": "name"},
    "condition": {"type": "text", "mode": "phrase", "value": "Acme"},
}


def _run(op: CloseSearchLeadsOperator) -> Any:
    return op.execute({"ti": None})  # type: ignore[arg-type]


@pytest.fixture
def leads(sandbox: CloseSandbox, close_conn: Callable[..., str]) -> list[dict[str, Any]]:
    hook = CloseHook()
    names = ["Acme Rockets", "Acme Anvils", "Globex", "Initech"]
    created = [hook.create_lead({"name": name, "contacts": [{"name": "Ann"}]}) for name in names]
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes
    return created


def test_finds_only_matching_leads(leads: list[dict[str, Any]]) -> None:
    rows = _run(CloseSearchLeadsOperator(task_id="s", query=NAME_IS_ACME))
    assert sorted(r["id"] for r in rows) == sorted(lead["id"] for lead in leads[:2])
    assert all(r["__object_type"] == "lead" for r in rows)
    assert {"name", "status_label"} <= set(rows[0])


def test_match_all_never_returns_contacts(leads: list[dict[str, Any]]) -> None:
    op = CloseSearchLeadsOperator(task_id="s", query={"type": "match_all"}, fields=["id", "name"])
    rows = _run(op)
    assert len(rows) == 4
    assert {r["__object_type"] for r in rows} == {"lead"}


def test_more_matches_than_the_bound_fail(leads: list[dict[str, Any]]) -> None:
    op = CloseSearchLeadsOperator(task_id="s", query={"type": "match_all"}, max_items=3)
    with pytest.raises(ClosePaginationLimitError):
        _run(op)


def test_body_wraps_the_query_in_a_lead_filter() -> None:
    body = lead_search_body(NAME_IS_ACME, sort=[{"direction": "asc", "field": {}}])
    assert body == {
        "query": {
            "type": "and",
            "queries": [{"type": "object_type", "object_type": "lead"}, NAME_IS_ACME],
        },
        "_fields": {"lead": list(DEFAULT_LEAD_FIELDS)},
        "sort": [{"direction": "asc", "field": {}}],
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"query": "name:acme"}, "search.query"),
        ({"query": {"value": "x"}}, "search.query"),
        ({"query": NAME_IS_ACME, "fields": "name"}, "search.fields"),
        ({"query": NAME_IS_ACME, "fields": []}, "search.fields"),
        ({"query": NAME_IS_ACME, "fields": ["id", ""]}, "search.fields[1]"),
        ({"query": NAME_IS_ACME, "sort": [{"direction": "up"}]}, "search.sort[0]"),
        ({"query": NAME_IS_ACME, "max_items": 10_001}, "max_items"),
    ],
)
def test_bad_searches_refused_before_any_request(
    kwargs: dict[str, Any], field: str, sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    with fails_now(ClosePayloadError) as caught:
        _run(CloseSearchLeadsOperator(task_id="s", **kwargs))
    assert caught.value.field == field
    assert sandbox.requests == []


def test_a_search_stays_exact_while_leads_are_deleted_and_created_mid_walk(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    hook = CloseHook()
    ids = [hook.create_lead({"name": f"Acme {n}"})["id"] for n in range(10)]
    sandbox.clock.advance(sandbox.search_lag)  # search trails writes (tests/conftest.py)
    sandbox.set_limits(max_limit={"search": 3})
    changes = (
        *(Mutation("delete", f"/lead/{lead_id}/") for lead_id in ids[:3]),
        Mutation("create", "/lead/", {"name": "Acme new"}),
    )
    sandbox.add_page_hook(PageHook("/data/search/", method="POST", mutations=changes))
    rows = _run(CloseSearchLeadsOperator(task_id="s", query=NAME_IS_ACME, max_items=50))
    got = [row["id"] for row in rows]
    assert len(got) == len(set(got))
    assert set(ids[3:]) <= set(got)
    assert sandbox.page_hooks[0]["fired"]
