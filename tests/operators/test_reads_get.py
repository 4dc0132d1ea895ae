"""Get operators against the sandbox over real HTTP, through the real hook and client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from airflow_provider_close.client import CloseNotFoundError, ClosePayloadError
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.links import LEAD_ID_XCOM_KEY
from airflow_provider_close.operators.reads_get import (
    CloseGetActivityOperator,
    CloseGetContactOperator,
    CloseGetObjectOperator,
    CloseGetOpportunityOperator,
    CloseGetTaskOperator,
    CloseGetUserOperator,
)
from airflow_provider_close.sandbox import CloseSandbox
from tests.operators.fail_now import fails_now
from tests.operators.fakes import FakeTaskInstance as FakeTI

MISSING = {
    "contact": "cont_" + "Z" * 43,
    "opportunity": "oppo_" + "Z" * 43,
    "task": "task_" + "Z" * 43,
    "user": "user_" + "Z" * 43,
    "activity": "acti_" + "Z" * 43,
}


def _context(ti: FakeTI | None = None) -> Any:
    return {"ti": ti or FakeTI()}


@pytest.fixture
def lead(sandbox: CloseSandbox, close_conn: Callable[..., str]) -> dict[str, Any]:
    hook = CloseHook()
    created = hook.create_lead(
        {"name": "Acme", "contacts": [{"name": "Wile", "emails": [{"email": "w@acme.test"}]}]}
    )
    hook.close()
    return created


def test_get_contact_returns_id_and_object(lead: dict[str, Any]) -> None:
    contact_id = lead["contacts"][0]["id"]
    op = CloseGetContactOperator(task_id="get", object_id=f" {contact_id} ")
    ti = FakeTI()
    result = op.execute(_context(ti))
    assert result is not None
    assert result["id"] == contact_id
    assert result["action"] == "fetched"
    assert ti.pushed == {LEAD_ID_XCOM_KEY: lead["id"]}
    assert result["object"]["name"] == "Wile"
    assert result["object"]["lead_id"] == lead["id"]


def test_get_contact_fields_are_projected(lead: dict[str, Any]) -> None:
    contact_id = lead["contacts"][0]["id"]
    op = CloseGetContactOperator(task_id="get", object_id=contact_id, fields=["id", "name"])
    result = op.execute(_context())
    assert result is not None
    assert set(result["object"]) == {"id", "name"}


def test_get_user(sandbox: CloseSandbox, close_conn: Callable[..., str]) -> None:
    me = sandbox.state.me
    result = CloseGetUserOperator(task_id="get", object_id=me["id"]).execute(_context())
    assert result is not None
    assert result == {"id": me["id"], "object": result["object"], "action": "fetched"}
    assert result["object"]["email"] == me["email"]


def test_get_opportunity_task_and_activity(lead: dict[str, Any], sandbox: CloseSandbox) -> None:
    hook = CloseHook()
    opportunity = hook.create_opportunity({"lead_id": lead["id"], "value": 500})
    task = hook.create_task({"_type": "lead", "lead_id": lead["id"], "text": "Call back"})
    note = hook.create_activity("note", {"lead_id": lead["id"], "note": "hello"})
    hook.close()
    ops: list[tuple[CloseGetObjectOperator, str]] = [
        (CloseGetOpportunityOperator(task_id="o", object_id=opportunity["id"]), opportunity["id"]),
        (CloseGetTaskOperator(task_id="t", object_id=task["id"]), task["id"]),
        (
            CloseGetActivityOperator(task_id="a", activity_type="note", object_id=note["id"]),
            note["id"],
        ),
    ]
    for op, expected_id in ops:
        result = op.execute(_context())
        assert result is not None
        assert result["id"] == expected_id
        assert result["object"]["lead_id"] == lead["id"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: CloseGetContactOperator(task_id="g", object_id=MISSING["contact"]),
        lambda: CloseGetOpportunityOperator(task_id="g", object_id=MISSING["opportunity"]),
        lambda: CloseGetTaskOperator(task_id="g", object_id=MISSING["task"]),
        lambda: CloseGetUserOperator(task_id="g", object_id=MISSING["user"]),
        lambda: CloseGetActivityOperator(
            task_id="g", activity_type="call", object_id=MISSING["activity"]
        ),
    ],
    ids=["contact", "opportunity", "task", "user", "activity"],
)
def test_unknown_id_is_not_found_or_none(
    make: Callable[[], CloseGetObjectOperator],
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
) -> None:
    op = make()
    with fails_now(CloseNotFoundError) as caught:
        op.execute(_context())
    assert "404" in str(caught.value)
    assert sandbox.api_key not in str(caught.value)
    op.missing_ok = True
    assert op.execute(_context()) is None


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: CloseGetContactOperator(task_id="g", object_id="lead_" + "a" * 43), "contact_id"),
        (lambda: CloseGetContactOperator(task_id="g", object_id=""), "contact_id"),
        (
            lambda: CloseGetOpportunityOperator(task_id="g", object_id="oppo_short"),
            "opportunity_id",
        ),
        (lambda: CloseGetTaskOperator(task_id="g", object_id="noti_" + "a" * 43), "task_id"),
        (lambda: CloseGetUserOperator(task_id="g", object_id="../lead/"), "user_id"),
        (
            lambda: CloseGetActivityOperator(
                task_id="g", activity_type="Call", object_id="acti_" + "a" * 43
            ),
            "activity_type",
        ),
        (
            lambda: CloseGetActivityOperator(
                task_id="g", activity_type="call", object_id="call_" + "a" * 43
            ),
            "activity_id",
        ),
    ],
    ids=["wrong-prefix", "empty", "short", "system-task", "path-injection", "type-case", "call-id"],
)
def test_bad_ids_refused_before_any_request(
    make: Callable[[], CloseGetObjectOperator],
    field: str,
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
) -> None:
    with fails_now(ClosePayloadError) as caught:
        make().execute(_context())
    assert caught.value.field == field
    assert sandbox.requests == []


def test_api_key_is_not_a_template_field(close_conn: Callable[..., str]) -> None:
    for cls in (CloseGetContactOperator, CloseGetActivityOperator):
        assert "close_conn_id" in cls.template_fields
        assert not any("key" in name or "password" in name for name in cls.template_fields)
