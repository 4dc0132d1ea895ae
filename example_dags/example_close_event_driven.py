"""Event-driven: run when something happens in Close (a call logged, a deal won, a lead moved).

What it does
    Three assets are each watched by a ``CloseEventTrigger`` in the triggerer, which polls
    Close's event log (``GET /event/``) and updates the asset when new matching events arrive:

    * ``close_calls_logged``: ``activity.call`` / ``created``;
    * ``close_opportunities_won``: ``opportunity`` / ``updated`` whose ``changed_fields``
      contain ``status_id`` and whose new ``status_type`` is ``won``;
    * ``close_lead_status_changed``: ``lead`` / ``updated`` whose ``changed_fields`` contain
      ``status_id``.

    The DAG is scheduled on any of them, so each asset update starts a run. ``summarise``
    reads the triggering asset events (their ``extra["payload"]["events"]`` hold a bounded
    summary of each Close event: id, object, action, the changed fields' old and new values)
    and returns the Close event ids it saw (XCom). Each Close event starts work once: the
    trigger de-duplicates by event id and keeps its cursor in an Airflow Variable, so a
    triggerer restart neither replays nor skips events (docs/events.md says what is kept where).

How to run it locally
    Start the sandbox (``python -m airflow_provider_close.sandbox --seed demo``), export the
    ``AIRFLOW_CONN_CLOSE_DEFAULT`` line it prints, run ``airflow standalone`` (scheduler,
    DAG processor, triggerer and API server) with this file in the dags folder, unpause the
    DAG, then log a call in the sandbox (``POST /api/v1/activity/call/``): a run starts within
    a poll interval. ``tests/triggers/test_close_events_real_airflow.py`` does exactly this
    with real Airflow processes.

What to change for production
    * ``CLOSE_EVENTS_POLL_SECONDS`` (environment, read when the file is parsed; default 60):
      how often each watcher asks Close. One request per (object type, action) pair and
      poll, plus one per 50 events; the test sets it to 1.
    * The filters: ``object_types``/``actions`` must form a combination Close's ``/event/``
      accepts (the trigger refuses others when the DAG is parsed, listing the allowed ones);
      ``lead_id=``/``user_id=`` narrow them; ``changed_fields``/``data_equals`` are checked
      on each event.
    * Watchers that cannot see events older than one hour's ``data`` (non-admin API keys)
      should not use ``data_equals``: Close hides ``data`` on older events for them.
    * ``summarise`` is where your work goes: follow up on the won deal, sync the lead...
"""

from __future__ import annotations

import os
from typing import Any

import pendulum
from airflow.sdk import Asset, AssetWatcher, dag, task

from airflow_provider_close.triggers.close_events import CloseEventTrigger

CLOSE_CONN_ID = "close_default"
POLL_SECONDS = float(os.environ.get("CLOSE_EVENTS_POLL_SECONDS", "60"))


def _watched(name: str, **filters: Any) -> Asset:
    trigger = CloseEventTrigger(close_conn_id=CLOSE_CONN_ID, poll_interval=POLL_SECONDS, **filters)
    return Asset(name, watchers=[AssetWatcher(name=f"{name}_watcher", trigger=trigger)])


calls_logged = _watched("close_calls_logged", object_types=["activity.call"], actions=["created"])
opportunities_won = _watched(
    "close_opportunities_won",
    object_types=["opportunity"],
    actions=["updated"],
    changed_fields=["status_id"],
    data_equals={"status_type": ["won"]},
)
lead_status_changed = _watched(
    "close_lead_status_changed",
    object_types=["lead"],
    actions=["updated"],
    changed_fields=["status_id"],
)


@dag(
    schedule=calls_logged | opportunities_won | lead_status_changed,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["close", "example"],
    doc_md=__doc__,
)
def example_close_event_driven() -> None:
    """Summarise the Close events that updated the assets."""

    @task
    def summarise(triggering_asset_events: Any = None) -> list[str]:
        """Return the ids of the Close events behind this run (oldest first, each once)."""
        seen: dict[str, dict[str, Any]] = {}
        for asset, asset_events in (triggering_asset_events or {}).items():
            for asset_event in asset_events:
                payload = (asset_event.extra or {}).get("payload") or {}
                for event in payload.get("events", []):
                    seen.setdefault(event["id"], event)
                    print(
                        f"{asset.name}: {event['object_type']} {event['action']} "
                        f"{event['object_id']} changed {event['changed_fields']}"
                    )
        ordered = sorted(seen.values(), key=lambda event: (event["date_updated"], event["id"]))
        return [event["id"] for event in ordered]

    summarise()


dag = example_close_event_driven()
