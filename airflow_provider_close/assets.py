"""Files the Close operators write, as Airflow Assets that schedule downstream DAGs.

A file-writing operator (extractions, change extraction, lists to files, exports) given
``outlets=[asset]`` updates each Asset outlet when its file is complete; the asset event's
``extra`` says which file landed and what it holds (:func:`record_file_events`), so the
downstream DAG reads it from ``triggering_asset_events`` instead of rebuilding the path::

    ACTIVITIES = file_asset("s3://lake/close/activities/{{ ds }}.jsonl")  # s3://lake/close/activities
    CloseExtractActivitiesOperator(task_id="extract", path=..., outlets=[ACTIVITIES])

    @dag(schedule=[ACTIVITIES])
    def load():
        @task
        def load_file(triggering_asset_events=None):
            for event in triggering_asset_events[ACTIVITIES]:
                event.extra["path"], event.extra["rows"]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airflow.sdk import Asset, Context

__all__ = ["file_asset", "record_file_events"]

_TEMPLATE_STARTS = ("{{", "{%")


def file_asset(path: str, *, name: str | None = None) -> Asset:
    """Return the Asset of the folder a (templated) file path writes into.

    The Asset URI is the path's fixed part: everything before the first template expression,
    cut back to a folder (``s3://lake/close/{{ ds }}.jsonl`` -> ``s3://lake/close``; a local
    ``/data/close/{{ ds }}.jsonl`` -> ``file:///data/close``). Every interval's file updates
    the same Asset; the event's ``extra`` names the file.

    :param path: the operator's ``path``/``output_path`` (a local path or an object storage URL).
    :param name: the Asset's name; default its URI.
    :raises ValueError: the path has no fixed folder (it starts with a template); give the
        Asset yourself, e.g. ``Asset(name="close_activities_daily")``.
    """
    cut = min((i for i in (path.find(s) for s in _TEMPLATE_STARTS) if i >= 0), default=len(path))
    fixed = path[:cut]
    folder = fixed if cut == len(path) else fixed[: fixed.rfind("/") + 1]
    folder = folder.rstrip("/")
    if "://" not in folder:
        folder = f"file://{folder}" if folder.startswith("/") else ""
    if not folder or folder.endswith("://"):
        raise ValueError(
            f"path {path!r} has no fixed folder (absolute path or URL before the first "
            "template) to name an Asset after; pass an Asset to outlets yourself, e.g. "
            "Asset(name='close_activities_daily')"
        )
    return Asset(uri=folder, name=name or folder)


def record_file_events(context: Context, outlets: Iterable[Any], extra: Mapping[str, Any]) -> None:
    """Put what a written file holds into the events of the task's Asset outlets.

    Airflow emits one event per Asset outlet when the task succeeds; this sets its ``extra``
    (JSON values only), e.g. ``{"path", "rows", "start", "end"}``. Outlets that are not
    Assets are left alone.

    :param context: the task context (``outlet_events``).
    :param outlets: the operator's ``outlets``.
    :param extra: what the operator returns to XCom about the file.
    """
    assets = [outlet for outlet in outlets if isinstance(outlet, Asset)]
    if not assets:
        return
    events = context["outlet_events"]
    for asset in assets:
        events[asset].extra.update(extra)
