"""What a bulk change plans to do, when it needs a human's approval, and how it is shown.

Pure (no Airflow): the approval operator (``operators/approval.py``) and the bulk operators'
"apply only what was approved" check share it. A *plan* is a dry run's summary (the bulk
operators' XCom with ``dry_run=True``: ``counts`` of ``would_create``/``would_update``, a
``sample``, the ``result_path`` of the per-row file) or :func:`delete_plan` for a list of ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from airflow_provider_close.client.errors import ClosePayloadError

__all__ = [
    "ApprovalDecision",
    "ApprovalThreshold",
    "PlannedChanges",
    "delete_plan",
    "exceeded_approval",
    "plan_markdown",
    "planned_changes",
]


@dataclass(frozen=True)
class PlannedChanges:
    """How many objects a plan creates, updates and deletes."""

    creates: int = 0
    updates: int = 0
    deletes: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return ``{"creates", "updates", "deletes"}`` (for XCom)."""
        return {"creates": self.creates, "updates": self.updates, "deletes": self.deletes}


class ApprovalDecision(TypedDict):
    """What the approval task returns (XCom), and what the apply task is bounded by.

    ``approved``: whether the change may be applied. ``automatic``: approved without asking,
    the plan being within the threshold. ``by``: who answered (``None`` when automatic or on
    a timeout default). ``changes``: the counts that were approved (or rejected).
    """

    approved: bool
    automatic: bool
    by: str | None
    changes: dict[str, int]


def _count(counts: Mapping[str, Any], name: str) -> int:
    value = counts.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ClosePayloadError(f"plan.counts.{name}", value, "a count >= 0")
    return value


def planned_changes(plan: object) -> PlannedChanges:
    """Return the creates, updates and deletes of a dry run's plan (raises on a bad plan).

    :param plan: a dry-run summary (``dry_run`` true) or a :func:`delete_plan`.
    """
    if not isinstance(plan, Mapping) or not isinstance(plan.get("counts"), Mapping):
        raise ClosePayloadError("plan", type(plan).__name__, "a dry run's summary (with counts)")
    if plan.get("dry_run") is not True:
        raise ClosePayloadError("plan.dry_run", plan.get("dry_run"), "True: the plan of a dry run")
    counts = plan["counts"]
    return PlannedChanges(
        creates=_count(counts, "would_create"),
        updates=_count(counts, "would_update"),
        deletes=_count(counts, "would_delete"),
    )


@dataclass(frozen=True)
class ApprovalThreshold:
    """Above which counts a bulk change needs a human's approval (``None``: never for it).

    :param creates: ask when more objects than this would be created.
    :param updates: ask when more than this would be updated.
    :param deletes: ask when more than this would be deleted.
    """

    creates: int | None = None
    updates: int | None = None
    deletes: int | None = None

    def __post_init__(self) -> None:
        """Refuse limits that are not counts."""
        for name in ("creates", "updates", "deletes"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise ClosePayloadError(f"threshold.{name}", value, "a count >= 0 or None")
            if value is not None and value < 0:
                raise ClosePayloadError(f"threshold.{name}", value, "a count >= 0 or None")

    def passed_by(self, changes: PlannedChanges) -> list[str]:
        """Return why ``changes`` needs approval (empty: it does not).

        :param changes: the plan's counts.
        """
        reasons = []
        for name in ("creates", "updates", "deletes"):
            limit, planned = getattr(self, name), getattr(changes, name)
            if limit is not None and planned > limit:
                reasons.append(f"{planned} {name} > {limit}")
        return reasons


def exceeded_approval(approved: object, planned: PlannedChanges) -> str | None:
    """Return why ``planned`` is not covered by the approval, or ``None`` (it is).

    :param approved: the approval task's :class:`ApprovalDecision`.
    :param planned: the counts re-computed just before applying.
    """
    if not isinstance(approved, Mapping) or not isinstance(approved.get("changes"), Mapping):
        return f"no approval decision (got {type(approved).__name__})"
    if approved.get("approved") is not True:
        return "the change was not approved"
    allowed = approved["changes"]
    over = [
        f"{getattr(planned, name)} {name} > {allowed.get(name, 0)} approved"
        for name in ("creates", "updates", "deletes")
        if getattr(planned, name) > int(allowed.get(name, 0))
    ]
    return "; ".join(over) or None


def delete_plan(ids: Sequence[str], *, sample_size: int = 10) -> dict[str, Any]:
    """Return a plan for deleting ``ids`` (distinct ids counted), to pass to the approval.

    :param ids: the Close ids to delete.
    :param sample_size: ids shown to the approver.
    """
    distinct = list(dict.fromkeys(str(i) for i in ids))
    sample = [
        {"row": n, "key": None, "action": "would_delete", "close_id": i, "error": None}
        for n, i in enumerate(distinct[:sample_size])
    ]
    return {
        "total": len(distinct),
        "counts": {"would_delete": len(distinct)},
        "dry_run": True,
        "result_path": None,
        "sample": sample,
    }


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def plan_markdown(plan: Mapping[str, Any], changes: PlannedChanges, reasons: list[str]) -> str:
    """Return the approval's body: why it is asked, the counts, a sample, the plan's file.

    :param plan: the dry run's summary.
    :param changes: its counts.
    :param reasons: what passed the threshold.
    """
    lines = [
        f"**Approval needed:** {'; '.join(reasons)}.",
        "",
        "| creates | updates | deletes | rows |",
        "|---:|---:|---:|---:|",
        f"| {changes.creates} | {changes.updates} | {changes.deletes} | {plan.get('total', '')} |",
        "",
        "Sample of the planned rows:",
        "",
        "| row | action | key | Close id |",
        "|---:|---|---|---|",
    ]
    for row in plan.get("sample") or []:
        if isinstance(row, Mapping):
            cells = (row.get("row"), row.get("action"), row.get("key"), row.get("close_id"))
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    if plan.get("result_path"):
        lines += ["", f"Every planned row: `{plan['result_path']}`."]
    lines += [
        "",
        "Approve to apply at most these counts (the apply task re-plans and refuses more);",
        "Reject to send nothing.",
    ]
    return "\n".join(lines)
