"""A deferred wait reads what is new: later polls cost one request, and late listings count."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.triggers.new_activity import CloseNewActivityTrigger

T0 = datetime(2026, 3, 1, tzinfo=UTC)
STEP = timedelta(seconds=20)


def trigger(**kwargs: Any) -> CloseNewActivityTrigger:
    return CloseNewActivityTrigger(
        close_conn_id="close_default",
        watermark=T0.isoformat(),
        upper_bound=(T0 + timedelta(days=1)).isoformat(),
        activity_types=["call"],
        poll_interval=0.02,
        **kwargs,
    )


async def wait_for_requests(sandbox: CloseSandbox, n: int, task: asyncio.Future[Any]) -> None:
    for _ in range(1000):  # bounded: 10 s
        if len(sandbox.requests) >= n or task.done():
            return
        await asyncio.sleep(0.01)


def test_polls_with_nothing_new_cost_one_request_and_late_listings_still_count(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    for i in range(300):
        sandbox.state.insert_activity("call", date_created=T0 + i * STEP)
    newest = T0 + 299 * STEP
    rereads_from = (newest - timedelta(minutes=5)).isoformat(timespec="microseconds")

    async def scenario() -> dict[str, Any]:
        events = trigger(min_count=302).run()
        task = asyncio.ensure_future(events.__anext__())
        try:
            await wait_for_requests(sandbox, 4 + 3, task)  # the first poll, then three more
            assert not task.done()
            later = sandbox.requests[4:7]
            sandbox.state.insert_activity("call", date_created=newest + timedelta(hours=1))
            sandbox.state.insert_activity("call", date_created=newest - timedelta(minutes=4))
            event = await asyncio.wait_for(task, 10)
        finally:
            await events.aclose()
        for request in later:
            query = parse_qs(request.query)
            assert query["date_created__gte"] == [rereads_from]
        return dict(event.payload)

    event = asyncio.run(scenario())
    assert (event["status"], event["count"]) == ("success", 302)


def test_late_listing_is_configurable_and_kept_in_the_kwargs(sandbox: CloseSandbox) -> None:
    _, kwargs = trigger(late_listing_seconds=30.0, exact_count=True).serialize()
    assert (kwargs["late_listing_seconds"], kwargs["exact_count"]) == (30.0, True)
