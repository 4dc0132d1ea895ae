"""Custom Activity instances (``/activity/custom/``, ``_type`` ``CustomActivity``).

From Close's docs (docs/change_capture.md): an instance names its ``custom_activity_type_id``
(an ``actitype_…`` from ``/custom_activity/``) and a ``lead_id``; ``status`` is ``published``
(the default) or ``draft``; ``pinned`` may be set on create and update; values are
``custom.cf_…`` keys of activity custom fields. The event log calls them
``activity.custom_activity``.
"""

from __future__ import annotations

from airflow_provider_close.sandbox.models.activities import ActivityRules, ActivityWrite
from airflow_provider_close.sandbox.models.checks import REQUIRED

__all__ = ["CUSTOM_ACTIVITY_RULES", "STATUSES"]

#: ``status`` values of a custom activity instance.
STATUSES = ("published", "draft")


def _apply(write: ActivityWrite) -> None:
    record, payload, problems = write.record, write.payload, write.problems
    if "status" in payload:
        status = problems.enum(payload, "status", STATUSES)
        if status is not None:
            record["status"] = status
    pinned = payload.get("pinned")
    if pinned is not None:
        if isinstance(pinned, bool):
            record["pinned"] = pinned
        else:
            problems.add("pinned", "Must be a boolean.")


def _on_create(write: ActivityWrite) -> None:
    payload, problems = write.payload, write.problems
    if not payload.get("custom_activity_type_id"):
        problems.add("custom_activity_type_id", REQUIRED)
    types = write.state.custom_activity_types
    type_id = problems.reference(payload, "custom_activity_type_id", types)
    write.record.update(
        {"custom_activity_type_id": type_id, "status": "published", "pinned": False}
    )
    _apply(write)


CUSTOM_ACTIVITY_RULES = ActivityRules(
    kind="custom_activity", on_create=_on_create, on_update=_apply
)
