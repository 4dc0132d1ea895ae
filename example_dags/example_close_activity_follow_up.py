"""Activity follow-up: after inbound calls or SMS, put a task and a note on each lead.

What it does, every hour
    1. ``wait_for_calls_or_sms`` (``CloseNewActivitySensor``, ``deferrable=True``) waits until
       at least one call or SMS was created in Close during the run's data interval (the
       hour). Deferred, the wait runs in the triggerer and holds no worker slot. An hour
       with nothing to do ends after ``timeout`` as *skipped* (``soft_fail=True``), not failed.
    2. ``inbound_lead_ids`` reads those activities (one ``GET /activity/?id__in=...`` per 100
       ids), keeps the inbound ones (calls and SMS with ``direction == "inbound"``) and
       returns their leads, each once.
    3. ``create_follow_up_task`` and ``add_note`` are mapped over the lead ids (dynamic task
       mapping: one task instance per lead) and create a Close task and a note on each. Both
       operators create at most once per DAG run, even when Airflow retries them.

What it needs
    A ``close_default`` connection (type Close CRM) and, for the deferred wait, a running
    triggerer with the provider installed. No other provider.

How to run it locally
    Start the sandbox (``python -m airflow_provider_close.sandbox --seed demo``), export the
    ``AIRFLOW_CONN_CLOSE_DEFAULT`` line it prints, log an inbound call (the README's sandbox
    section has a ``curl`` line for it; so does the sandbox's ``--help``), then run
    ``airflow dags test example_close_activity_follow_up <logical date>``: the data interval is
    the hour before the logical date. ``tests/example_dags`` does exactly this.

What to change for production
    * ``schedule``: the interval is also the window the sensor watches; a shorter interval
      reacts sooner. Keep a data-interval timetable (``CronDataIntervalTimetable``): in
      Airflow 3 a plain cron string or ``timedelta`` schedule gives each run a zero-length data
      interval, and the sensor would watch an empty window.
    * ``user_id=`` / ``lead_id=`` on the sensor to watch one rep's or one account's activity.
    * ``max_items``: more activity ids than this in one interval fail ``inbound_lead_ids``
      loudly (nothing is silently dropped); raise it, or shorten the interval. Airflow maps at
      most ``[core] max_map_length`` (1024) lead ids.
    * ``assigned_to="user_..."`` on the task to route follow-ups to a person (default: the API
      key's user); ``pool="close_api"`` on the Close tasks to share the key's rate budget.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import dag, task

try:
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 3.1 has it only in core
    from airflow.timetables.interval import CronDataIntervalTimetable

from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.operators.notes import CloseCreateNoteOperator
from airflow_provider_close.operators.tasks import CloseCreateTaskOperator
from airflow_provider_close.sensors.new_activity import CloseNewActivitySensor

CLOSE_CONN_ID = "close_default"
#: ``GET /activity/`` takes this many ids per ``id__in`` request.
IDS_PER_REQUEST = 100


@dag(
    schedule=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["close", "example"],
    doc_md=__doc__,
)
def example_close_activity_follow_up() -> None:
    """Wait for calls or SMS in the hour, then follow up on every lead with an inbound one."""
    wait = CloseNewActivitySensor(
        task_id="wait_for_calls_or_sms",
        close_conn_id=CLOSE_CONN_ID,
        activity_types=["call", "sms"],
        min_count=1,
        max_items=1000,
        deferrable=True,
        poke_interval=60,
        timeout=15 * 60,
        soft_fail=True,
    )

    @task
    def inbound_lead_ids(found: dict[str, Any]) -> list[str]:
        """Return the leads (sorted, each once) of the inbound calls and SMS the sensor found."""
        if found["truncated"]:
            raise ValueError(
                f"{found['count']} activities in the interval but only "
                f"{len(found['activity_ids'])} ids listed: raise the sensor's max_items"
            )
        hook = CloseHook(close_conn_id=CLOSE_CONN_ID)
        leads: set[str] = set()
        ids = found["activity_ids"]
        for first in range(0, len(ids), IDS_PER_REQUEST):
            chunk = ids[first : first + IDS_PER_REQUEST]
            params = {"id__in": ",".join(chunk), "_fields": "id,_type,direction,lead_id"}
            for activity in hook.iter_items("activity/", params):
                if activity.get("direction") == "inbound" and activity.get("lead_id"):
                    leads.add(activity["lead_id"])
        print(f"{len(leads)} leads with an inbound call or SMS")
        return sorted(leads)

    lead_ids = inbound_lead_ids(wait.output)
    CloseCreateTaskOperator.partial(
        task_id="create_follow_up_task",
        close_conn_id=CLOSE_CONN_ID,
        text="Follow up on the inbound call or SMS",
        date="{{ data_interval_end.strftime('%Y-%m-%d') }}",
    ).expand(lead_id=lead_ids)
    CloseCreateNoteOperator.partial(
        task_id="add_note",
        close_conn_id=CLOSE_CONN_ID,
        title="Inbound contact",
        note=(
            "Inbound call or SMS between {{ data_interval_start }} and {{ data_interval_end }};"
            " a follow-up task was created by Airflow."
        ),
    ).expand(lead_id=lead_ids)


dag = example_close_activity_follow_up()

if __name__ == "__main__":
    dag.test()
