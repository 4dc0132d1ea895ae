"""``bulk/pending.py`` alone: lost lead creates resolved by the settle-window rule (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from airflow_provider_close.bulk.pending import PendingCreate, resolve_pending
from airflow_provider_close.bulk.plan import RowPlan
from airflow_provider_close.client.errors import CloseServerError, CloseUnknownOutcomeError

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.moment = T0

    def now(self) -> datetime:
        return self.moment

    def sleep(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class FakeClose:
    """Leads by key as a search would return them once the window passed; sends recorded."""

    def __init__(self, clock: FakeClock, leads: dict[str, list[str]], lose: int = 0) -> None:
        self.clock, self.leads, self.lose = clock, leads, lose
        self.sent: list[dict[str, object]] = []
        self.looked_at: list[datetime] = []

    async def send(self, payload: dict[str, object]) -> dict[str, Any]:
        self.sent.append(payload)
        if self.lose:
            self.lose -= 1
            raise CloseUnknownOutcomeError("POST", "lead/", "lost")
        return {"id": f"lead_new_{len(self.sent)}"}

    async def lookup(self, values: list[str]) -> dict[str, list[dict[str, Any]]]:
        self.looked_at.append(self.clock.now())
        return {v: [{"id": i} for i in self.leads.get(v, [])] for v in values}


def _pending(key: str, index: int = 0, lost_at: datetime = T0) -> PendingCreate:
    plan = RowPlan(index=index, key=key, action="create", create={"name": key})
    return PendingCreate(plan, lost_at)


async def _resolve(close: FakeClose, pending: list[PendingCreate], attempts: int = 3):
    return await resolve_pending(
        pending,
        send=close.send,
        lookup=close.lookup,
        clock=close.clock,
        settle_seconds=60,
        attempts=attempts,
    )


async def test_looks_only_once_the_settle_window_after_the_latest_loss_passed() -> None:
    clock = FakeClock()
    close = FakeClose(clock, {"A": ["lead_a"], "B": ["lead_b"]})
    late = T0 + timedelta(seconds=20)
    results = await _resolve(close, [_pending("A"), _pending("B", 1, late)])
    assert close.looked_at == [late + timedelta(seconds=60)]
    assert [(r["action"], r["close_id"]) for r in results] == [
        ("created", "lead_a"),
        ("created", "lead_b"),
    ]
    assert close.sent == []


async def test_one_found_twice_is_failed_never_created() -> None:
    close = FakeClose(FakeClock(), {"A": ["lead_1", "lead_2"]})
    (result,) = await _resolve(close, [_pending("A")])
    assert result["action"] == "failed"
    assert "created 2 times" in str(result["error"])
    assert close.sent == []


async def test_none_found_is_sent_again_and_a_lost_resend_waits_another_window() -> None:
    clock = FakeClock()
    close = FakeClose(clock, {}, lose=1)
    (result,) = await _resolve(close, [_pending("A")])
    assert (result["action"], result["close_id"]) == ("created", "lead_new_2")
    assert len(close.sent) == 2
    assert close.looked_at == [T0 + timedelta(seconds=60), T0 + timedelta(seconds=120)]


async def test_every_send_lost_is_failed_with_the_reason() -> None:
    close = FakeClose(FakeClock(), {}, lose=10)
    (result,) = await _resolve(close, [_pending("A")], attempts=2)
    assert result["action"] == "failed"
    assert "all 2 sends was lost" in str(result["error"])


async def test_a_failing_confirming_search_fails_the_rows_with_the_reason() -> None:
    clock = FakeClock()
    close = FakeClose(clock, {})

    async def broken(_values: list[str]) -> dict[str, list[dict[str, Any]]]:
        raise CloseServerError("POST", "data/search/", 500, {"error": "boom"})

    results = await resolve_pending(
        [_pending("A")], send=close.send, lookup=broken, clock=clock, settle_seconds=60, attempts=3
    )
    assert [r["action"] for r in results] == ["failed"]
    assert "confirming search failed" in str(results[0]["error"])
    assert close.sent == []
