"""The keyset-walk fast path of ``/data/search/`` answers exactly what the naive evaluation
answers (same objects, same order, ties included), and only for walk-shaped bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.events import RequestMeta
from airflow_provider_close.sandbox.models.leads import create_lead
from airflow_provider_close.sandbox.search import data_search
from airflow_provider_close.sandbox.search.keyset_cache import keyset_found

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _body(object_type: str, field: str, lower: datetime | None, upper: datetime | None) -> Any:
    condition: dict[str, Any] = {"type": "moment_range"}
    if lower:
        condition["on_or_after"] = {"type": "fixed_utc", "value": lower.isoformat()}
    if upper:
        condition["before"] = {"type": "fixed_utc", "value": upper.isoformat()}
    target = {"type": "regular_field", "object_type": object_type, "field_name": field}
    return {
        "query": {
            "type": "and",
            "queries": [
                {"type": "object_type", "object_type": object_type},
                {"type": "field_condition", "field": target, "condition": condition},
            ],
        },
        "sort": [{"direction": "asc", "field": target}],
        "_fields": {object_type: ["id", field]},
        "_limit": 200,
    }


@pytest.fixture
def state(sandbox: CloseSandbox) -> Any:
    sandbox.set_search_lag(0)
    sandbox.clock.set(T0)
    meta = RequestMeta("POST", "/api/v1/lead/")
    for number in range(60):
        if number % 3:
            sandbox.clock.advance(1)  # every third lead ties with the one before
        contacts = [{"name": "c"}] if number % 4 == 0 else []
        create_lead(sandbox.state, {"name": f"l{number}", "contacts": contacts}, meta)
    return sandbox.state


@pytest.mark.parametrize("object_type", ["lead", "contact"])
@pytest.mark.parametrize("field", ["date_created", "date_updated"])
def test_fast_path_pages_equal_the_naive_ones(
    state: Any, object_type: str, field: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bounds = [(None, None), (T0 + timedelta(seconds=7), None), (None, T0 + timedelta(seconds=30))]
    bounds += [(T0 + timedelta(seconds=s), T0 + timedelta(seconds=s + 9)) for s in (0, 13, 25)]
    for lower, upper in bounds:
        body = _body(object_type, field, lower, upper)
        with state.lock:
            assert keyset_found(state, state.search_records(), body) is not None
        fast = data_search.run_search(state, body, 200)
        with monkeypatch.context() as patched:
            patched.setattr(data_search, "keyset_found", lambda *_: None)
            naive = data_search.run_search(state, body, 200)
        assert fast == naive
        assert fast["data"], (lower, upper)


def test_other_bodies_take_the_naive_path(state: Any) -> None:
    body = _body("lead", "date_updated", T0, None)
    body["sort"][0]["direction"] = "desc"
    other = _body("lead", "name", None, None)
    extra = _body("lead", "date_updated", T0, None)
    extra["query"]["queries"][1]["negate"] = True
    with state.lock:
        for unsupported in (body, other, extra):
            assert keyset_found(state, state.search_records(), unsupported) is None


def test_a_write_is_seen_by_the_next_page(state: Any) -> None:
    body = _body("lead", "date_updated", T0, None)
    before = data_search.run_search(state, body, 200)["data"]
    create_lead(state, {"name": "late"}, RequestMeta("POST", "/api/v1/lead/"))
    after = data_search.run_search(state, body, 200)["data"]
    assert len(after) == len(before) + 1
