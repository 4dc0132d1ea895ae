"""CloseEventTrigger against the sandbox: history is skipped, new events fire once, restarts
resume from the stored cursor, errors never fire the asset.

``run()`` is driven inside the test (real HTTP, async client); the Airflow Variable behind the
cursor is replaced by an in-memory store (the Variable itself is exercised by the real-Airflow
test, ``test_close_events_real_airflow.py``).
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from airflow.triggers.base import BaseEventTrigger

from airflow_provider_close.client import CloseClient
from airflow_provider_close.sandbox import CloseSandbox, Fault
from airflow_provider_close.triggers.close_events import CloseEventTrigger


class MemoryStore:
    """The cursor store of one test (survives trigger instances, like the Variable)."""

    def __init__(self) -> None:
        self.data: dict[str, Any] | None = None
        self.saves = 0

    async def load(self) -> dict[str, Any] | None:
        return json.loads(json.dumps(self.data)) if self.data else None

    async def save(self, data: dict[str, Any]) -> None:
        self.data = json.loads(json.dumps(data))
        self.saves += 1


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> MemoryStore:
    memory = MemoryStore()
    monkeypatch.setattr(CloseEventTrigger, "cursor_store", lambda _self: memory)
    return memory


@pytest.fixture
def api(sandbox: CloseSandbox) -> Iterator[CloseClient]:
    with CloseClient(api_key=sandbox.api_key, base_url=sandbox.api_url) as client:
        yield client


def calls_trigger(**kwargs: Any) -> CloseEventTrigger:
    defaults: dict[str, Any] = {
        "object_types": ["activity.call"],
        "actions": ["created"],
        "poll_interval": 0.02,
    }
    return CloseEventTrigger(**{**defaults, **kwargs})


class Watch:
    """Runs ``run()`` in a task, as the triggerer does, queueing what it yields."""

    def __init__(self, trigger: CloseEventTrigger) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task = asyncio.ensure_future(self._consume(trigger))

    async def _consume(self, trigger: CloseEventTrigger) -> None:
        async for event in trigger.run():
            await self.queue.put(dict(event.payload))

    async def next(self, seconds: float = 5) -> dict[str, Any]:
        return await asyncio.wait_for(self.queue.get(), seconds)

    async def nothing_within(self, seconds: float) -> None:
        with pytest.raises(TimeoutError):
            await self.next(seconds)

    async def close(self) -> None:
        self.task.cancel()  # what the triggerer does to a trigger it stops
        with pytest.raises(asyncio.CancelledError):
            await self.task


def log_call(api: CloseClient, lead_id: str) -> str:
    call = api.post("activity/call/", json={"lead_id": lead_id, "direction": "inbound"})
    return str(call["id"])


def event_of(sandbox: CloseSandbox, object_id: str, action: str = "created") -> str:
    found = [
        e["id"]
        for e in sandbox.state.events.values()
        if e["object_id"] == object_id and e["action"] == action
    ]
    assert len(found) == 1, found
    return str(found[0])


async def until_polled(sandbox: CloseSandbox, times: int) -> None:
    start = sum(r.path == "/event/" for r in sandbox.requests)
    for _ in range(500):
        if sum(r.path == "/event/" for r in sandbox.requests) >= start + times:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the trigger did not poll")


def test_is_an_event_trigger_whose_kwargs_round_trip_without_secrets(
    sandbox: CloseSandbox, close_conn: Callable[..., str]
) -> None:
    trig = CloseEventTrigger(
        object_types=["opportunity"],
        actions=["updated"],
        changed_fields=["status_id"],
        data_equals={"status_type": ["won"]},
        poll_interval=5,
    )
    assert isinstance(trig, BaseEventTrigger)
    path, kwargs = trig.serialize()
    assert path == "airflow_provider_close.triggers.close_events.CloseEventTrigger"
    module, _, name = path.rpartition(".")
    assert getattr(importlib.import_module(module), name)(**kwargs).serialize() == (path, kwargs)
    for text in (json.dumps(kwargs), repr(trig)):
        assert sandbox.api_key not in text
    assert trig.cursor_key.startswith("close_events_cursor__close_default__")
    assert CloseEventTrigger(**{**kwargs, "poll_interval": 60}).cursor_key == trig.cursor_key


def test_a_filter_close_refuses_fails_when_the_dag_is_parsed() -> None:
    with pytest.raises(ValueError, match="allowed combinations"):
        CloseEventTrigger(object_types=["lead"])


def test_history_is_skipped_new_calls_fire_once_and_a_restart_resumes(
    sandbox: CloseSandbox, close_conn: Callable[..., str], api: CloseClient, store: MemoryStore
) -> None:
    lead_id = str(api.post("lead/", json={"name": "Acme"})["id"])
    log_call(api, lead_id)  # history: before the watcher started

    async def scenario() -> None:
        watch = Watch(calls_trigger())
        await until_polled(sandbox, 2)  # started, then polled again: nothing new
        assert store.data is not None  # the start is saved at once
        first = log_call(api, lead_id)
        payload = await watch.next()
        assert [e["id"] for e in payload["events"]] == [event_of(sandbox, first)]
        assert payload["events"][0]["object_id"] == first
        await watch.nothing_within(0.3)  # re-scanned (lookback) but not fired again
        await watch.close()

        second = log_call(api, lead_id)  # while no trigger runs
        restarted = Watch(calls_trigger())  # same kwargs, same stored cursor
        payload = await restarted.next()
        assert [e["id"] for e in payload["events"]] == [event_of(sandbox, second)]
        await restarted.nothing_within(0.3)
        await restarted.close()

    asyncio.run(scenario())


def test_an_opportunity_won_fires_and_other_updates_do_not(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    api: CloseClient,
    store: MemoryStore,
) -> None:
    statuses = api.get("status/opportunity/")["data"]
    won = next(s["id"] for s in statuses if s["type"] == "won")
    lost = next(s["id"] for s in statuses if s["type"] == "lost")
    lead_id = next(iter(seeded_sandbox.state.leads))
    first = api.post("opportunity/", json={"lead_id": lead_id, "value": 100})["id"]
    second = api.post("opportunity/", json={"lead_id": lead_id, "value": 200})["id"]
    trig = CloseEventTrigger(
        object_types=["opportunity"],
        actions=["updated"],
        changed_fields=["status_id"],
        data_equals={"status_type": ["won"]},
        poll_interval=0.02,
    )

    async def scenario() -> dict[str, Any]:
        watch = Watch(trig)
        await until_polled(seeded_sandbox, 2)
        api.put(f"opportunity/{first}/", json={"value": 150})  # an update, not a status change
        api.put(f"opportunity/{second}/", json={"status_id": lost})  # a status change, lost
        await until_polled(seeded_sandbox, 2)
        api.put(f"opportunity/{first}/", json={"status_id": won})
        payload = await watch.next()
        await watch.nothing_within(0.3)
        await watch.close()
        return payload

    payload = asyncio.run(scenario())
    assert payload["count"] == 1
    (summary,) = payload["events"]
    assert summary["object_id"] == first
    assert summary["data"]["status_type"] == "won"
    assert summary["data"]["status_id"] == won
    assert "status_id" in summary["changed_fields"]


def test_errors_never_fire_the_asset_and_polling_recovers(
    sandbox: CloseSandbox, close_conn: Callable[..., str], api: CloseClient, store: MemoryStore
) -> None:
    close_conn(max_retries=0)
    lead_id = str(api.post("lead/", json={"name": "Acme"})["id"])

    async def scenario() -> None:
        watch = Watch(calls_trigger())
        await until_polled(sandbox, 1)
        sandbox.add_fault(Fault(kind="server_error", status=500, path="/event/", times=2))
        call = log_call(api, lead_id)
        payload = await watch.next()  # two failed polls, then the call
        assert [e["id"] for e in payload["events"]] == [event_of(sandbox, call)]
        await watch.close()

    asyncio.run(scenario())
    assert [r.status for r in sandbox.requests if r.path == "/event/"].count(500) == 2


def test_a_wrong_key_is_logged_not_fired_and_the_key_is_never_logged(
    sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    store: MemoryStore,
    caplog: pytest.LogCaptureFixture,
) -> None:
    close_conn(password="sk_wrong_key_0123456789")

    def logged() -> bool:
        return "CloseAuthError" in caplog.text or "401" in caplog.text

    async def scenario() -> None:
        watch = Watch(calls_trigger())
        for _ in range(60):  # up to ~18 s on a loaded machine; the 401 is logged within one poll
            await watch.nothing_within(0.3)
            if logged():
                break
        await watch.close()

    asyncio.run(scenario())
    assert logged()
    assert "sk_wrong_key_0123456789" not in caplog.text
    assert store.data is None


def test_a_late_event_inside_the_lookback_is_still_found(
    sandbox: CloseSandbox, close_conn: Callable[..., str], api: CloseClient, store: MemoryStore
) -> None:
    lead_id = str(api.post("lead/", json={"name": "Acme"})["id"])
    now = sandbox.clock.now()

    async def scenario() -> None:
        watch = Watch(calls_trigger(lookback_seconds=60))
        await until_polled(sandbox, 1)
        first = log_call(api, lead_id)
        assert [e["id"] for e in (await watch.next())["events"]] == [event_of(sandbox, first)]
        # Close shows an event older than the newest one already listed (ordering lag)
        sandbox.clock.set(now - timedelta(seconds=30))
        late = log_call(api, lead_id)
        sandbox.clock.set(now - timedelta(seconds=90))
        too_late = log_call(api, lead_id)  # older than the lookback: Close's 5 minutes rule
        sandbox.clock.reset()
        assert [e["id"] for e in (await watch.next())["events"]] == [event_of(sandbox, late)]
        await watch.nothing_within(0.3)
        await watch.close()
        assert event_of(sandbox, too_late)

    asyncio.run(scenario())


def test_watchers_of_one_server_filter_share_one_poll_on_airflow_3_3(
    seeded_sandbox: CloseSandbox,
    close_conn: Callable[..., str],
    api: CloseClient,
    store: MemoryStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shared_stream = pytest.importorskip(
        "airflow.triggers.shared_stream", reason="shared streams are new in Airflow 3.3"
    )
    statuses = {s["type"]: s["id"] for s in api.get("status/opportunity/")["data"]}
    won, lost = (
        CloseEventTrigger(
            object_types=["opportunity"],
            actions=["updated"],
            data_equals={"status_type": [kind]},
            poll_interval=0.05,
        )
        for kind in ("won", "lost")
    )
    leads = calls_trigger(object_types=["lead"], actions=["updated"], poll_interval=0.05)
    assert won.shared_stream_key() == lost.shared_stream_key()
    assert won.shared_stream_key() != leads.shared_stream_key()
    assert (
        CloseEventTrigger(**{**won.serialize()[1], "share_poll": False}).shared_stream_key() is None
    )
    lead_id = next(iter(seeded_sandbox.state.leads))
    first = api.post("opportunity/", json={"lead_id": lead_id})["id"]
    second = api.post("opportunity/", json={"lead_id": lead_id})["id"]
    polls: list[int] = []
    shared_polls = CloseEventTrigger._shared_polls

    async def counted(self: CloseEventTrigger) -> Any:
        polls.append(id(self))
        async for events in shared_polls(self):
            yield events

    monkeypatch.setattr(CloseEventTrigger, "_shared_polls", counted)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        manager = shared_stream.SharedStreamManager()
        queues: dict[str, asyncio.Queue[dict[str, Any]]] = {
            "won": asyncio.Queue(),
            "lost": asyncio.Queue(),
        }

        async def consume(trigger_id: int, name: str, trig: CloseEventTrigger) -> None:
            stream = manager.subscribe(
                trigger_id=trigger_id, trigger=trig, key=trig.shared_stream_key()
            )
            async for event in trig.filter_shared_stream(stream):
                await queues[name].put(dict(event.payload))

        tasks = [
            asyncio.ensure_future(consume(1, "won", won)),
            asyncio.ensure_future(consume(2, "lost", lost)),
        ]
        await until_polled(seeded_sandbox, 6)  # two catch-ups, then shared polls
        api.put(f"opportunity/{first}/", json={"status_id": statuses["won"]})
        api.put(f"opportunity/{second}/", json={"status_id": statuses["lost"]})
        won_payload = await asyncio.wait_for(queues["won"].get(), 5)
        lost_payload = await asyncio.wait_for(queues["lost"].get(), 5)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return won_payload, lost_payload

    won_payload, lost_payload = asyncio.run(scenario())
    assert [e["object_id"] for e in won_payload["events"]] == [first]
    assert [e["object_id"] for e in lost_payload["events"]] == [second]
    assert len(polls) == 1  # one poll loop served both watchers
