"""Failures no retry can cure fail the task at once; transient ones keep Airflow's retries.

Every Close operator's ``execute`` is wrapped once, in ``CloseBaseOperator``: a refused
payload, 400, 401, 403 and 404 become ``AirflowFailException`` chained to the Close error;
the hook's client is closed when the task ends, whichever way it ends.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.client import (
    CloseAuthError,
    CloseNotFoundError,
    ClosePayloadError,
    ClosePermissionError,
    CloseRateLimitError,
    CloseServerError,
    CloseValidationError,
)
from airflow_provider_close.operators._base import CloseBaseOperator
from airflow_provider_close.operators.bulk import CloseUpsertLeadsOperator
from airflow_provider_close.operators.deletions import CloseDeleteLeadOperator
from airflow_provider_close.operators.extract import CloseExtractActivitiesOperator
from airflow_provider_close.operators.leads import CloseGetLeadOperator
from airflow_provider_close.operators.reads import CloseListUsersOperator
from airflow_provider_close.operators.request import CloseRequestOperator
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.faults import Fault
from tests.operators.fail_now import fails_now

pytestmark = pytest.mark.usefixtures("close_conn")

MISSING = "lead_" + "z" * 43


def test_a_404_fails_now_with_the_close_message(seeded_sandbox: CloseSandbox, context) -> None:
    with fails_now(CloseNotFoundError, match="404") as failed:
        CloseGetLeadOperator(task_id="get", object_id=MISSING).execute(context)
    assert failed.value.status == 404


def test_a_400_fails_now(seeded_sandbox: CloseSandbox, context) -> None:
    op = CloseRequestOperator(task_id="r", method="GET", endpoint="event/", query={"_skip": 5})
    with fails_now(CloseValidationError, match="400"):
        op.execute(context)


def test_a_401_fails_now_in_request_list_and_delete_operators(
    seeded_sandbox: CloseSandbox, close_conn, context
) -> None:
    close_conn(password=seeded_sandbox.api_key + "_revoked")
    operators: list[CloseBaseOperator] = [
        CloseRequestOperator(task_id="r", method="GET", endpoint="me/"),
        CloseListUsersOperator(task_id="l"),
        CloseDeleteLeadOperator(task_id="d", lead_id=MISSING, acknowledge_cascade=True),
    ]
    for op in operators:
        with fails_now(CloseAuthError, match="401"):
            op.execute(context)


def test_a_refused_payload_fails_now_in_the_bulk_upsert(
    seeded_sandbox: CloseSandbox, tmp_path: Path
) -> None:
    op = CloseUpsertLeadsOperator(
        task_id="u",
        rows=[{"c": "x"}],
        mapping={"name": "c", "custom": {"Nope": "c"}},
        match_key="name",
        result_path=str(tmp_path / "r.jsonl"),
    )
    with fails_now(ClosePayloadError, match="lead.custom"):
        op.execute({"ti": None, "run_id": "r"})  # type: ignore[arg-type]


def test_a_401_fails_now_in_the_extraction(
    seeded_sandbox: CloseSandbox, close_conn, tmp_path: Path
) -> None:
    close_conn(password=seeded_sandbox.api_key + "_revoked")
    op = CloseExtractActivitiesOperator(
        task_id="x", path=str(tmp_path / "a.jsonl"), activity_types=["call"]
    )
    now = seeded_sandbox.clock.now()
    context: Any = {"data_interval_start": now - timedelta(days=1), "data_interval_end": now}
    with fails_now(CloseAuthError):
        op.execute(context)


def test_a_403_fails_now() -> None:
    # The sandbox models no permissions (COVERAGE.md), so the 403 comes from the operator.
    class Forbidden(CloseBaseOperator):
        def execute(self, context: Any) -> None:
            raise ClosePermissionError("GET", "lead/", 403, {"error": "not allowed"})

    with fails_now(ClosePermissionError, match="403 forbidden: not allowed"):
        Forbidden(task_id="f").execute({})


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(kind="server_error", method="GET", path="/lead/*", status=503), CloseServerError),
        (Fault(kind="rate_limit", method="GET", path="/lead/*"), CloseRateLimitError),
    ],
    ids=["5xx", "429-exhausted"],
)
def test_transient_errors_keep_their_retries(
    seeded_sandbox: CloseSandbox, close_conn, context, fault: Fault, error: type[Exception]
) -> None:
    # 429s are waited out within max_total_wait (not bounded by max_retries): keep it short
    close_conn(max_retries=0, max_total_wait=0.5)
    seeded_sandbox.add_fault(fault)
    lead_id = next(iter(seeded_sandbox.state.leads))
    with pytest.raises(error) as raised:
        CloseGetLeadOperator(task_id="get", object_id=lead_id).execute(context)
    assert not isinstance(raised.value, AirflowFailException)


def test_the_client_is_closed_when_the_task_ends(seeded_sandbox: CloseSandbox, context) -> None:
    lead_id = next(iter(seeded_sandbox.state.leads))
    ok = CloseGetLeadOperator(task_id="get", object_id=lead_id)
    client = ok.hook.client
    assert ok.execute(context) is not None
    assert client._http.is_closed
    assert "client" not in ok.hook.__dict__

    failing = CloseGetLeadOperator(task_id="get", object_id=MISSING)
    client = failing.hook.client
    with fails_now(CloseNotFoundError):
        failing.execute(context)
    assert client._http.is_closed
