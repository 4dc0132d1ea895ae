"""CloseBulkEditOperator: one Close bulk edit (``/bulk_action/edit/``) on an Advanced
Filtering query, waited for in the triggerer.

Close applies the edit on its side (set a lead status, set or clear a lead custom field on
every lead the query matches); this operator checks the request, counts the matching leads,
starts the bulk action at most once (an Airflow retry finds the one an earlier try started)
and waits until Close reports it done: deferred by default (no worker slot held), or polling
in the worker with ``deferrable=False``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, Literal, TypedDict

from airflow.sdk import Context
from airflow.sdk.exceptions import AirflowException

from airflow_provider_close.client.automation_payloads import bulk_edit_body
from airflow_provider_close.client.bulk_actions import (
    BULK_ACTION_ENDED,
    count_matching_leads,
    find_bulk_edit,
    get_bulk_edit,
    start_bulk_edit,
)
from airflow_provider_close.idempotency.rule import Clock, SystemClock, create_once
from airflow_provider_close.operators._base import CloseBaseOperator, retry_started

__all__ = ["BulkEditResult", "CloseBulkEditError", "CloseBulkEditOperator"]

#: How far before the DAG run's start an earlier try's bulk action is looked for (clock skew).
_SKEW = timedelta(minutes=5)


class BulkEditResult(TypedDict):
    """What the operator pushes to XCom (return value).

    :param bulk_action_id: Close's ``bulkedit_…`` id (``None`` on a dry run).
    :param action: ``created``, ``found_existing`` (a retry found the earlier try's) or
        ``dry_run`` (nothing sent).
    :param matched_leads: leads the query matched when the task counted them.
    :param status: Close's final ``status`` (``done``), or ``dry_run``.
    :param n_objects: leads Close selected (``None`` on a dry run).
    :param n_objects_processed: leads Close processed (``None`` on a dry run).
    """

    bulk_action_id: str | None
    action: Literal["created", "found_existing", "dry_run"]
    matched_leads: int
    status: str
    n_objects: int | None
    n_objects_processed: int | None


class CloseBulkEditError(AirflowException):
    """Close stopped the bulk edit without finishing it (``error`` or ``paused``)."""


class CloseBulkEditOperator(CloseBaseOperator):
    """Edit every Close lead an Advanced Filtering query matches, server-side.

    ``edit_type`` is ``set_lead_status`` (with ``lead_status_id``), ``set_custom_field``
    (``custom_field_id`` and ``value``, or ``values`` with ``operation`` replace | add | remove
    for fields accepting several) or ``clear_custom_field`` (``custom_field_id``). Everything
    is checked before any request (a clear error naming the field and what is allowed).
    ``dry_run=True`` only counts the matching leads. Pushes :class:`BulkEditResult` to XCom.

    :param query: the Advanced Filtering query (``s_query``; templated).
    :param edit_type: what to do (see above).
    :param lead_status_id: the status to set (templated).
    :param custom_field_id: the lead custom field ``cf_…`` (templated).
    :param value: the new value (templated).
    :param values: several new values (templated).
    :param operation: ``replace`` (default), ``add`` or ``remove``, with ``values``.
    :param results_limit: edit at most this many leads.
    :param send_done_email: let Close e-mail the key's user when done (default no).
    :param dry_run: count the matching leads and send nothing.
    :param deferrable: wait in the triggerer (default) instead of in the worker.
    :param poll_interval: seconds between status checks.
    :param close_conn_id: Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "close_conn_id",
        "query",
        "lead_status_id",
        "custom_field_id",
        "value",
        "values",
    )
    #: The clock of the in-worker wait (the real one; tests inject the sandbox's).
    wait_clock: ClassVar[Clock] = SystemClock()
    _UNSET: ClassVar[Any] = object()

    def __init__(
        self,
        *,
        query: Mapping[str, Any] | str,
        edit_type: str,
        lead_status_id: str | None = None,
        custom_field_id: str | None = None,
        value: Any = _UNSET,
        values: list[Any] | str | None = None,
        operation: str | None = None,
        results_limit: int | None = None,
        send_done_email: bool = False,
        dry_run: bool = False,
        deferrable: bool = True,
        poll_interval: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if poll_interval <= 0:
            raise ValueError(f"poll_interval: got {poll_interval!r}; allowed: a number > 0")
        self.query = query
        self.edit_type = edit_type
        self.lead_status_id = lead_status_id
        self.custom_field_id = custom_field_id
        self.value = value
        self.values = values
        self.operation = operation
        self.results_limit = results_limit
        self.send_done_email = send_done_email
        self.plan_only = dry_run
        self.deferrable = deferrable
        self.poll_interval = poll_interval

    def _body(self) -> dict[str, Any]:
        unset = self._UNSET
        optional = {
            "lead_status_id": self.lead_status_id,
            "custom_field_id": self.custom_field_id,
            "values": self.values,
        }
        extra = {name: value for name, value in optional.items() if value is not None}
        if self.value is not unset:
            extra["value"] = self.value
        return bulk_edit_body(
            edit_type=self.edit_type,
            query=self.query,
            operation=self.operation,
            results_limit=self.results_limit,
            send_done_email=self.send_done_email,
            **extra,
        )

    def execute(self, context: Context) -> BulkEditResult | None:
        """Check, count, start (once) and wait; return the result (XCom) when not deferred."""
        body = self._body()
        client = self.hook.client
        matched = count_matching_leads(client, body["s_query"], body.get("results_limit"))
        self.log.info("The query matches %d leads", matched)
        if self.plan_only:
            return BulkEditResult(
                bulk_action_id=None,
                action="dry_run",
                matched_leads=matched,
                status="dry_run",
                n_objects=None,
                n_objects_processed=None,
            )
        since = _run_started(context, self.wait_clock) - _SKEW
        action, created = create_once(
            create=lambda: start_bulk_edit(client, body),
            find_existing=lambda: find_bulk_edit(client, body, since),
            source="immediate",
            lost_before=retry_started(context, self.wait_clock),
            what="bulk edit",
            log=self.log,
            clock=self.wait_clock,
        )
        action_id = str(action["id"])
        self.log.info("Bulk edit %s %s", action_id, "started" if created else "found (retry)")
        state = {"bulk_action_id": action_id, "matched": matched, "created": created}
        if action.get("status") not in BULK_ACTION_ENDED and self.deferrable:
            from airflow_provider_close.triggers.bulk_action import CloseBulkEditTrigger

            trigger = CloseBulkEditTrigger(
                close_conn_id=self.close_conn_id,
                bulk_action_id=action_id,
                poll_interval=self.poll_interval,
            )
            self.defer(trigger=trigger, method_name="execute_complete", kwargs=state)
        while action.get("status") not in BULK_ACTION_ENDED:
            self.wait_clock.sleep(self.poll_interval)
            action = get_bulk_edit(client, action_id)
        return self._result(action, matched=matched, created=created)

    def execute_complete(
        self,
        context: Context,  # noqa: ARG002  (Airflow passes it)
        event: Mapping[str, Any],
        bulk_action_id: str = "",
        matched: int = 0,
        created: bool = True,
    ) -> BulkEditResult:
        """Read the finished bulk edit; return the result (pushed to XCom)."""
        action_id = str(event.get("bulk_action_id") or bulk_action_id)
        if event.get("status") != "success":
            raise CloseBulkEditError(f"Close bulk edit {action_id}: {event.get('message')}")
        action = get_bulk_edit(self.hook.client, action_id)
        return self._result(action, matched=matched, created=created)

    def _result(self, action: Mapping[str, Any], *, matched: int, created: bool) -> BulkEditResult:
        status = str(action.get("status"))
        if status != "done":
            raise CloseBulkEditError(
                f"Close bulk edit {action.get('id')} is {status}"
                + ("; resume it in Close, then clear this task" if status == "paused" else "")
            )
        self.log.info(
            "Bulk edit %s done: %s of %s leads",
            action["id"],
            action.get("n_objects_processed"),
            action.get("n_objects"),
        )
        return BulkEditResult(
            bulk_action_id=str(action["id"]),
            action="created" if created else "found_existing",
            matched_leads=matched,
            status=status,
            n_objects=action.get("n_objects"),
            n_objects_processed=action.get("n_objects_processed"),
        )


def _run_started(context: Context, clock: Clock) -> datetime:
    """Return when this DAG run started (the earliest an earlier try could have sent)."""
    started = getattr(context.get("dag_run"), "start_date", None)
    if isinstance(started, datetime) and started.tzinfo is not None:
        return min(started, clock.now())
    return clock.now()
