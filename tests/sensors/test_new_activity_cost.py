"""What a poke costs, and its count while activities come and go between pages (sandbox, HTTP).

Mid-walk changes use a small in-test mechanism: an httpx transport around the real one that
runs a mutation of the sandbox's state right after it delivered the Nth activity page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from airflow_provider_close.client import AsyncCloseClient, CloseClient
from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sensors.new_activity import CloseNewActivitySensor
from airflow_provider_close.watch.activity_count import ActivityCount
from airflow_provider_close.watch.activity_fetch import apoll_activities, poll_activities
from airflow_provider_close.watch.activity_query import ActivityFilter, SensorWindow

T0 = datetime(2026, 3, 1, tzinfo=UTC)
DAY = {"data_interval_start": T0, "data_interval_end": T0 + timedelta(days=1)}
Mutation = Callable[[], None]


def load_calls(sandbox: CloseSandbox, n: int, step: timedelta = timedelta(seconds=20)) -> list[str]:
    state = sandbox.state
    return [str(state.insert_activity("call", date_created=T0 + i * step)["id"]) for i in range(n)]


def activity_pages(sandbox: CloseSandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path.startswith("/activity/"))


def sensor(**kwargs: Any) -> CloseNewActivitySensor:
    kwargs.setdefault("poke_interval", 0.05)
    kwargs.setdefault("timeout", 5)
    return CloseNewActivitySensor(task_id="wait_for_calls", activity_types=["call"], **kwargs)


@pytest.mark.parametrize(("max_items", "requests"), [(10, 1), (100, 2)])
def test_a_satisfied_poke_reads_one_or_two_pages_of_a_full_window(
    sandbox: CloseSandbox, close_conn: Callable[..., str], max_items: int, requests: int
) -> None:
    ids = load_calls(sandbox, 1000)
    result = sensor(min_count=1, max_items=max_items).poke(DAY)
    assert result.is_done
    assert result.xcom_value["activity_ids"] == ids[:max_items]
    assert result.xcom_value["truncated"] is True
    assert activity_pages(sandbox) == requests


def test_exact_count_reads_the_whole_window(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    load_calls(sandbox, 1000)
    assert sensor(exact_count=True).poke(DAY).xcom_value["count"] == 1000
    assert activity_pages(sandbox) == 11  # 100 + 10 x 99 new rows, and the last page ends it


def test_later_pokes_of_one_run_read_only_what_is_new(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    load_calls(sandbox, 1000)
    task = sensor(min_count=1002)
    assert not task.poke(DAY).is_done
    first = activity_pages(sandbox)
    assert not task.poke(DAY).is_done
    assert activity_pages(sandbox) == first + 1
    sandbox.state.insert_activity("call", date_created=T0 + timedelta(hours=6))
    late = T0 + 999 * timedelta(seconds=20) - timedelta(minutes=4)  # before the newest counted
    sandbox.state.insert_activity("call", date_created=late)
    result = task.poke(DAY)
    assert (result.is_done, result.xcom_value["count"]) == (True, 1002)
    assert activity_pages(sandbox) == first + 2


class MutateAfterPage(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Delivers every response, then runs ``mutations[n]`` after the nth activity page."""

    def __init__(self, mutations: dict[int, Mutation]) -> None:
        self._sync = httpx.HTTPTransport()
        self._async = httpx.AsyncHTTPTransport()
        self._mutations = mutations
        self.pages = 0

    def _after(self, request: httpx.Request) -> None:
        if "/activity/" in request.url.path:
            self.pages += 1
            self._mutations.get(self.pages, lambda: None)()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._sync.handle_request(request)
        response.read()
        self._after(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._async.handle_async_request(request)
        await response.aread()
        self._after(request)
        return response


def churn(sandbox: CloseSandbox, ids: list[str]) -> tuple[set[str], set[str], dict[int, Mutation]]:
    """After page 1: delete 10 rows it returned and its last one; create 5 ahead, 5 behind."""
    deleted = set(ids[40:50]) | {ids[99]}
    created: set[str] = set()

    def mutate() -> None:
        for identifier in deleted:
            sandbox.state.remove("activity", identifier)
        for i in range(5):
            for moment in (T0 + timedelta(seconds=i * 20 + 1), T0 + timedelta(hours=3, seconds=i)):
                created.add(str(sandbox.state.insert_activity("call", date_created=moment)["id"]))

    return deleted, created, {1: mutate}


def exact_count() -> ActivityCount:
    window = SensorWindow(T0, T0 + timedelta(days=1))
    return ActivityCount(
        ActivityFilter.of(["call"]), window, min_count=1, max_items=10_000, exact_count=True
    )


@dataclass
class Churned:
    """300 calls, and a transport that deletes and creates some after the first page."""

    ids: list[str]
    deleted: set[str]
    created: set[str]
    transport: MutateAfterPage
    count: ActivityCount

    def assert_each_stable_activity_once(self, total: int) -> None:
        seen = self.count.result()["activity_ids"]
        assert len(seen) == len(set(seen)) == total
        assert set(self.ids) - self.deleted <= set(seen) <= set(self.ids) | self.created


@pytest.fixture
def churned(sandbox: CloseSandbox) -> Churned:
    ids = load_calls(sandbox, 300)
    deleted, created, mutations = churn(sandbox, ids)
    return Churned(ids, deleted, created, MutateAfterPage(mutations), exact_count())


def test_sensor_count_is_exact_while_activities_come_and_go_between_pages(
    sandbox: CloseSandbox, churned: Churned
) -> None:
    client = CloseClient(
        api_key=sandbox.api_key, base_url=sandbox.api_url, transport=churned.transport
    )
    with client:
        result = poll_activities(client, churned.count)
    assert churned.transport.pages >= 3
    churned.assert_each_stable_activity_once(result["count"])


def test_trigger_tally_is_exact_while_activities_come_and_go_between_pages(
    sandbox: CloseSandbox, churned: Churned
) -> None:
    async def scenario() -> int:
        client = AsyncCloseClient(
            api_key=sandbox.api_key, base_url=sandbox.api_url, transport=churned.transport
        )
        async with client:
            await apoll_activities(client, churned.count)  # the first poll, under churn
            return (await apoll_activities(client, churned.count))["count"]  # adds nothing

    churned.assert_each_stable_activity_once(asyncio.run(scenario()))
