"""Fault definitions, text specs and the deterministic firing plan (no network)."""

from __future__ import annotations

import pytest

from airflow_provider_close.sandbox import Fault
from airflow_provider_close.sandbox.faults import FaultPlan, parse_fault_spec


@pytest.mark.parametrize(
    ("fault", "method", "path", "expected"),
    [
        (Fault("server_error"), "GET", "/lead/", True),
        (Fault("server_error", method="post"), "POST", "/lead/", True),
        (Fault("server_error", method="POST"), "GET", "/lead/", False),
        (Fault("server_error", path="/lead/*"), "GET", "/lead/", True),
        (Fault("server_error", path="/lead/*"), "GET", "/lead/lead_1/", True),
        (Fault("server_error", path="/lead/*"), "GET", "/contact/", False),
        (Fault("server_error", path="/lead/"), "GET", "/lead/lead_1/", False),
        (Fault("server_error", path="/activity/*/"), "POST", "/activity/call/", True),
    ],
)
def test_fault_matching(fault: Fault, method: str, path: str, expected: bool) -> None:
    assert fault.matches(method, path) is expected


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "explode"}, "kind must be one of"),
        ({"kind": "server_error", "status": 501}, "status must be 500, 502, 503 or 504"),
        ({"kind": "slow"}, "needs delay_ms > 0"),
        ({"kind": "drop_before", "times": 0}, "times must be >= 1"),
        ({"kind": "drop_before", "every": 0}, "every must be >= 1"),
        ({"kind": "drop_before", "probability": 1.5}, "probability"),
        ({"kind": "rate_limit", "delay_ms": -1}, "delays must be >= 0"),
    ],
)
def test_impossible_faults_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Fault.from_json(kwargs)


def test_unknown_json_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault fields: colour"):
        Fault.from_json({"kind": "slow", "delay_ms": 5, "colour": "red"})


def test_json_round_trip() -> None:
    fault = Fault("server_error", method="PUT", path="/lead/*", times=2, status=503, seed=4)
    assert Fault.from_json(fault.to_json()) == fault


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("drop_before", Fault("drop_before")),
        (
            "server_error:status=503,path=/lead/*,times=2",
            Fault("server_error", status=503, path="/lead/*", times=2),
        ),
        (
            "drop_after: method=POST , times=1",
            Fault("drop_after", method="POST", times=1),
        ),
        (
            "rate_limit:every=3,probability=0.5,seed=7,retry_after=0.25",
            Fault("rate_limit", every=3, probability=0.5, seed=7, retry_after=0.25),
        ),
        ("slow:delay_ms=1500", Fault("slow", delay_ms=1500)),
    ],
)
def test_parse_fault_spec(spec: str, expected: Fault) -> None:
    assert parse_fault_spec(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("server_error:status", "expected NAME=VALUE"),
        ("server_error:status=abc", "bad value 'abc'"),
        ("server_error:colour=red", "unknown fault option 'colour'"),
        ("boom", "kind must be one of"),
    ],
)
def test_bad_fault_specs(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fault_spec(spec)


def fired(plan: FaultPlan, count: int, method: str = "GET", path: str = "/lead/") -> list[str]:
    """Return which fault kind (or "-") each of ``count`` requests got."""
    return [getattr(plan.take(method, path), "kind", "-") for _ in range(count)]


def test_times_caps_firing() -> None:
    plan = FaultPlan([Fault("server_error", times=2)])
    assert fired(plan, 4) == ["server_error", "server_error", "-", "-"]


def test_every_fires_on_every_nth_matching_request() -> None:
    plan = FaultPlan([Fault("drop_before", every=3)])
    assert fired(plan, 7) == ["-", "-", "drop_before", "-", "-", "drop_before", "-"]


def test_faults_are_consumed_in_order() -> None:
    plan = FaultPlan([Fault("rate_limit", times=1), Fault("server_error", times=1)])
    assert fired(plan, 3) == ["rate_limit", "server_error", "-"]


def test_non_matching_requests_do_not_consume() -> None:
    plan = FaultPlan([Fault("server_error", method="POST", path="/lead/", times=1)])
    assert fired(plan, 2, method="GET") == ["-", "-"]
    assert fired(plan, 2, method="POST") == ["server_error", "-"]


def test_probability_is_deterministic_per_seed() -> None:
    def run(seed: int) -> list[str]:
        return fired(FaultPlan([Fault("server_error", probability=0.5, seed=seed)]), 40)

    first = run(1)
    assert first == run(1)
    assert first != run(2)
    assert 5 < first.count("server_error") < 35


def test_describe_and_replace_restart_counters() -> None:
    fault = Fault("server_error", times=1)
    plan = FaultPlan([fault])
    fired(plan, 2)
    assert plan.describe() == [{**fault.to_json(), "seen": 1, "fired": 1}]
    plan.replace([fault])
    assert plan.describe()[0]["fired"] == 0
    assert fired(plan, 1) == ["server_error"]
