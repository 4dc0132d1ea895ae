"""A human approves a bulk change that passes a threshold, before anything is sent.

Three tasks, so that what is applied is what was approved (``approved_lead_upsert`` builds
them as a task group):

1. **plan**: the bulk operator with ``dry_run=True`` (reads only); its XCom is the plan:
   counts, a sample, the per-row file.
2. **approve**: :class:`CloseBulkApprovalOperator`. Within the threshold it approves at once
   (no one is asked); above it, it shows the counts and the sample through Airflow's
   human-in-the-loop ``ApprovalOperator`` (standard provider, Airflow 3.1+: the Required
   Actions page, or the HITL REST API) and waits. "Reject" skips the apply task: nothing is
   sent, and the approval task itself succeeds (``fail_on_reject=True`` fails it instead).
3. **apply**: the same bulk operator with ``approved=<the approval's XCom>``: it refuses
   (fails, nothing sent) unless the change was approved, then re-plans and refuses again if
   the new plan creates, updates or deletes more than was approved; only then it writes.

Deletes (``approved_deletes`` builds the group): **plan** is :class:`CloseDeletePlanOperator`
(``bulk.approval.delete_plan(ids)``: the count of distinct ids and a sample); **approve** as
above; **delete** is a delete operator mapped over the same ids with ``approved=``: each
mapped delete refuses unless the change was approved and its ``map_index`` is within the
deletes approved, so no more objects than were shown are deleted.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

with warnings.catch_warnings():
    # On Airflow 3.1 the standard provider's own compat layer imports BranchMixIn from its
    # deprecated path; the warning is about the provider, not about anything users can change.
    warnings.filterwarnings("ignore", message=r".*BranchMixIn.*")
    from airflow.providers.standard.operators.hitl import ApprovalOperator

from airflow.sdk import BaseOperator

from airflow_provider_close.bulk.approval import (
    ApprovalDecision,
    ApprovalThreshold,
    plan_markdown,
    planned_changes,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow.sdk import Context, TaskGroup, XComArg

    from airflow_provider_close.operators.deletions import CloseDeleteObjectOperator

__all__ = [
    "CloseBulkApprovalOperator",
    "CloseDeletePlanOperator",
    "approved_deletes",
    "approved_lead_upsert",
]


class CloseBulkApprovalOperator(ApprovalOperator):
    """Approve a bulk change: at once within ``threshold``, else by a human (HITL).

    Returns (XCom) an :class:`~airflow_provider_close.bulk.approval.ApprovalDecision`:
    ``approved``, ``automatic``, ``by`` (the responder's name) and the approved ``changes``
    (``creates``, ``updates``, ``deletes``), which bound the apply task. On "Reject" the
    downstream tasks are skipped (``ApprovalOperator``'s behaviour) and ``approved`` is false.

    :param plan: the plan task's XCom (a dry run's summary, or ``delete_plan(ids)``)
        (templated; pass ``plan_task.output``).
    :param threshold: above which counts a human is asked (``ApprovalThreshold`` or a dict
        with ``creates``/``updates``/``deletes``).
    :param subject: the headline shown to the approver (templated).
    :param kwargs: ``ApprovalOperator``'s: ``response_timeout``, ``assigned_users``,
        ``notifiers``, ``fail_on_reject``... (``body`` is built from the plan).
    """

    template_fields = (*ApprovalOperator.template_fields, "plan")

    def __init__(
        self,
        *,
        plan: Mapping[str, Any] | str | XComArg,
        threshold: ApprovalThreshold | Mapping[str, int | None],
        subject: str = "Approve a bulk change in Close",
        **kwargs: Any,
    ) -> None:
        super().__init__(subject=subject, **kwargs)
        self.plan = plan
        self.threshold = (
            threshold
            if isinstance(threshold, ApprovalThreshold)
            else ApprovalThreshold(**threshold)
        )

    def execute(self, context: Context) -> Any:
        """Approve at once within the threshold; else show the plan and wait for a human."""
        changes = planned_changes(self.plan)
        reasons = self.threshold.passed_by(changes)
        if not reasons:
            self.log.info("Within the approval threshold (%s): approved", changes.as_dict())
            return ApprovalDecision(
                approved=True, automatic=True, by=None, changes=changes.as_dict()
            )
        self.body = plan_markdown(dict(self.plan), changes, reasons)  # type: ignore[arg-type]
        self.log.info("Asking for approval: %s", "; ".join(reasons))
        return super().execute(context)

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        """Return the decision once a human answered (skipping downstream on "Reject")."""
        answer = super().execute_complete(context=context, event=event)
        user = answer.get("responded_by_user") or {}
        approved = list(answer["chosen_options"]) == [self.APPROVE]
        changes = planned_changes(self.plan).as_dict()
        self.log.info("%s by %s: %s", "Approved" if approved else "Rejected", user, changes)
        return ApprovalDecision(
            approved=approved, automatic=False, by=user.get("name"), changes=changes
        )


def approved_lead_upsert(
    *,
    group_id: str,
    threshold: ApprovalThreshold | Mapping[str, int | None],
    approval: Mapping[str, Any] | None = None,
    **upsert: Any,
) -> TaskGroup:
    """Return a task group ``plan >> approve >> apply`` around ``CloseUpsertLeadsOperator``.

    ``<group_id>.apply`` returns the upsert's summary; ``<group_id>.plan`` the dry run's.

    :param group_id: the group's id.
    :param threshold: above which creates/updates a human is asked.
    :param approval: more arguments of :class:`CloseBulkApprovalOperator` (``subject``,
        ``response_timeout``, ``assigned_users``...).
    :param upsert: the arguments of ``CloseUpsertLeadsOperator`` (both tasks get them; the
        plan's per-row file goes to the default place, named after its task).
    """
    from airflow.sdk import TaskGroup

    from airflow_provider_close.operators.bulk import CloseUpsertLeadsOperator

    plan_args = {k: v for k, v in upsert.items() if k not in ("result_path", "dry_run")}
    with TaskGroup(group_id=group_id) as group:
        plan = CloseUpsertLeadsOperator(task_id="plan", dry_run=True, **plan_args)
        approve = CloseBulkApprovalOperator(
            task_id="approve", plan=plan.output, threshold=threshold, **(approval or {})
        )
        apply = CloseUpsertLeadsOperator(task_id="apply", approved=approve.output, **upsert)
        plan >> approve >> apply
    return group


class CloseDeletePlanOperator(BaseOperator):
    """The plan of deleting ``ids``, for :class:`CloseBulkApprovalOperator` (no request).

    Returns (XCom) ``bulk.approval.delete_plan(ids)``: ``counts.would_delete`` (distinct ids),
    a sample of ids, ``dry_run: True``.

    :param ids: the Close ids to delete (templated; a list or an upstream task's output).
    :param sample_size: ids shown to the approver.
    """

    template_fields = ("ids",)

    def __init__(
        self, *, ids: Sequence[str] | XComArg | str, sample_size: int = 10, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.ids = ids
        self.sample_size = sample_size

    def execute(self, context: Context) -> dict[str, Any]:  # noqa: ARG002
        """Return the plan (see the class docstring)."""
        from airflow_provider_close.bulk.approval import delete_plan

        if isinstance(self.ids, str) or not isinstance(self.ids, list | tuple):
            raise TypeError(f"ids: got {type(self.ids).__name__}; allowed: a list of Close ids")
        return delete_plan(list(self.ids), sample_size=self.sample_size)


def approved_deletes(
    *,
    group_id: str,
    operator: type[CloseDeleteObjectOperator],
    ids: Sequence[str] | XComArg,
    threshold: ApprovalThreshold | Mapping[str, int | None],
    approval: Mapping[str, Any] | None = None,
    **delete: Any,
) -> TaskGroup:
    """Return a task group ``plan >> approve >> delete``, the deletes mapped over ``ids``.

    ``<group_id>.delete`` is ``operator`` mapped over ``ids`` (its id argument, e.g.
    ``lead_id``), each with ``approved=`` the decision; their XComs are the deletes' results.

    :param group_id: the group's id.
    :param operator: a delete operator class (``CloseDeleteLeadOperator``...).
    :param ids: the ids to delete (a list, or an upstream task's output).
    :param threshold: above which deletes a human is asked (e.g. ``{"deletes": 100}``).
    :param approval: more arguments of :class:`CloseBulkApprovalOperator`.
    :param delete: more arguments of every delete (``acknowledge_cascade=True``,
        ``missing_ok=True``, ``close_conn_id``...).
    """
    from airflow.sdk import TaskGroup

    with TaskGroup(group_id=group_id) as group:
        plan = CloseDeletePlanOperator(task_id="plan", ids=ids)
        approve = CloseBulkApprovalOperator(
            task_id="approve",
            plan=plan.output,
            threshold=threshold,
            subject="Approve deletes in Close",
            **(approval or {}),
        )
        deletes = operator.partial(task_id="delete", approved=approve.output, **delete).expand(
            **{operator.id_attribute: ids}
        )
        plan >> approve >> deletes
    return group
