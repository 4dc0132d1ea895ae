"""Carry out one planned row against Close, never re-sending a write blind.

A ``POST`` whose connection dropped after sending raises ``CloseUnknownOutcomeError``: Close
may or may not have applied it. A lead create then becomes a ``PendingCreate``, resolved at
the end of the run by a search that could have seen it (``bulk/pending.py``: leads are found
only through search, which trails writes). A contact added to an existing lead is looked
for at once in the lead's contacts (a read by id, consistent at once) and re-sent only if
absent. Contacts and opportunities (``apply_plan(..., recover=)``) are created under a
known lead, so a lost create is looked for at once in that lead's immediate list
(``idempotency/children.py``) and re-sent only if absent. Any other ``CloseError`` marks
the row ``failed`` with the error text (which never holds the API key).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_close.bulk.diff import contact_is_present
from airflow_provider_close.bulk.pending import PendingCreate
from airflow_provider_close.bulk.plan import RowPlan
from airflow_provider_close.bulk.results import RowAction, RowResult
from airflow_provider_close.client.errors import CloseError, CloseUnknownOutcomeError

if TYPE_CHECKING:
    from airflow_provider_close.bulk.engine import UpsertOptions
    from airflow_provider_close.client.asynchronous import AsyncCloseClient

__all__ = [
    "Recover",
    "apply_plan",
    "planned_result",
    "row_result",
    "unwritten",
]

#: Finds, at once, the object a lost create of ``plan`` made (``None``: it was not made).
Recover = Callable[["AsyncCloseClient", RowPlan], Awaitable[dict[str, Any] | None]]


def row_result(
    plan: RowPlan, action: RowAction, close_id: str | None = None, error: str | None = None
) -> RowResult:
    """Return the result line of a row.

    :param plan: the row's plan.
    :param action: what happened.
    :param close_id: the lead id.
    :param error: why it failed, was invalid or a duplicate.
    """
    return RowResult(row=plan.index, key=plan.key, action=action, close_id=close_id, error=error)


async def _create(
    client: AsyncCloseClient,
    plan: RowPlan,
    options: UpsertOptions,
    path: str,
    recover: Recover | None,
) -> RowResult | PendingCreate:
    if plan.create is None or plan.key is None:
        raise ValueError(f"row {plan.index}: a create plan needs a payload and a key")
    if recover is not None:
        return await _create_under_lead(client, plan, options, path, recover)
    try:
        lead = await client.post(path, plan.create)
    except CloseUnknownOutcomeError:
        return PendingCreate(plan, options.clock.now())  # resolved at the end of the run
    return row_result(plan, "created", str(lead["id"]))


async def _create_under_lead(
    client: AsyncCloseClient, plan: RowPlan, options: UpsertOptions, path: str, recover: Recover
) -> RowResult:
    body = {**(plan.create or {}), "lead_id": plan.parent_id}
    for _ in range(options.write_attempts):
        try:
            created = await client.post(path, body)
            return row_result(plan, "created", str(created["id"]))
        except CloseUnknownOutcomeError:
            # The lead's list is immediate: it could have seen the lost attempt.
            if (found := await recover(client, plan)) is not None:
                return row_result(plan, "created", str(found["id"]))
    reason = f"not created: the response to all {options.write_attempts} sends was lost"
    return row_result(plan, "failed", None, reason)


async def _lead_contacts(client: AsyncCloseClient, lead_id: str) -> list[dict[str, Any]]:
    lead = await client.get(f"lead/{lead_id}/", fields="id,contacts")
    return list(lead.get("contacts") or [])


async def _add_contact(
    client: AsyncCloseClient, lead_id: str, payload: dict[str, object], attempts: int
) -> None:
    for _ in range(attempts):
        try:
            await client.post("contact/", payload)
            return
        except CloseUnknownOutcomeError:
            # A read by id is consistent at once ("immediate" in idempotency.rule): it could
            # have seen the lost attempt, so no settle window before believing it.
            if contact_is_present(payload, await _lead_contacts(client, lead_id)):
                return
    raise CloseUnknownOutcomeError("POST", "contact/", f"unknown {attempts} times")


async def _update(
    client: AsyncCloseClient, plan: RowPlan, options: UpsertOptions, path: str
) -> RowResult:
    if plan.lead_id is None:
        raise ValueError(f"row {plan.index}: an update plan needs a lead id")
    if plan.patch:
        await client.put(f"{path}{plan.lead_id}/", plan.patch)
    for contact in plan.new_contacts:
        await _add_contact(client, plan.lead_id, contact, options.write_attempts)
    return row_result(plan, "updated", plan.lead_id)


def planned_result(plan: RowPlan, dry_run: bool) -> RowResult | None:
    """Return the result of a row that needs no write (or of any row in a dry run), else ``None``.

    :param plan: the row's plan.
    :param dry_run: report ``would_create``/``would_update`` instead of writing.
    """
    if plan.action in ("invalid", "duplicate_key"):
        return row_result(plan, plan.action, plan.lead_id, plan.reason)
    if plan.action == "skipped":
        return row_result(plan, "skipped", plan.lead_id, plan.reason)
    if plan.action == "unchanged":
        return row_result(plan, "unchanged", plan.lead_id)
    if dry_run:
        planned: RowAction = "would_create" if plan.action == "create" else "would_update"
        return row_result(plan, planned, plan.lead_id)
    return None


async def apply_plan(
    client: AsyncCloseClient,
    plan: RowPlan,
    options: UpsertOptions,
    *,
    path: str = "lead/",
    recover: Recover | None = None,
) -> RowResult | PendingCreate:
    """Carry out a ``create`` or ``update`` plan; errors become a ``failed`` result.

    A lead create whose response was lost comes back as a :class:`PendingCreate`.

    :param client: an ``AsyncCloseClient``.
    :param plan: a plan whose action is ``create`` or ``update``.
    :param options: the run's options (``write_attempts``, ``clock``).
    :param path: the object's collection path (``lead/``, ``contact/``, ``opportunity/``).
    :param recover: for objects created under a known lead: the immediate lookup of a lost
        create; ``None`` (leads): the create becomes a ``PendingCreate``.
    """
    try:
        if plan.action == "create":
            return await _create(client, plan, options, path, recover)
        return await _update(client, plan, options, path)
    except CloseError as error:
        return row_result(plan, "failed", plan.lead_id, f"{type(error).__name__}: {error}")


def unwritten(plans: Sequence[RowPlan], dry_run: bool) -> list[RowResult]:
    """Return the results of every plan that needs no write.

    :param plans: all plans.
    :param dry_run: whether the run is a dry run.
    """
    return [r for p in plans if (r := planned_result(p, dry_run)) is not None]
