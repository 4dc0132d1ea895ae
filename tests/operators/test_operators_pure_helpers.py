"""Pure helpers of the operators (no network): match_on, endpoints, retry windows, matching."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from airflow_provider_close.client import ClosePayloadError
from airflow_provider_close.idempotency.leads import check_match_on
from airflow_provider_close.idempotency.matching import (
    CLOCK_SKEW_MARGIN,
    _same_fields,
    created_since,
)
from airflow_provider_close.operators._base import is_retry
from airflow_provider_close.operators.request import check_endpoint


@pytest.mark.parametrize(
    ("match_on", "if_exists", "custom", "expected"),
    [
        (None, "create", {}, None),
        ("name", "skip", {}, "name"),
        (" contact_email ", "update", {}, "contact_email"),
        ("External ID", "fail", {"External ID": "X"}, "External ID"),
        (None, "skip", {}, ClosePayloadError),
        ("External ID", "skip", {}, ClosePayloadError),
        ("", "skip", {}, ClosePayloadError),
    ],
)
def test_check_match_on(match_on, if_exists, custom, expected):
    if expected is ClosePayloadError:
        with pytest.raises(ClosePayloadError, match=r"^lead\.match_on: got"):
            check_match_on(match_on, if_exists, custom)
    else:
        assert check_match_on(match_on, if_exists, custom) == expected


@pytest.mark.parametrize(
    ("endpoint", "ok"),
    [
        ("pipeline/", True),
        ("/lead/lead_abc/", True),
        ("custom_field/lead", True),
        ("https://api.close.com/api/v1/lead/", False),
        ("//evil.example/lead/", False),
        ("lead/../me/", False),
        ("lead/?_limit=1", False),
        ("", False),
        (None, False),
    ],
)
def test_check_endpoint(endpoint, ok):
    if ok:
        assert check_endpoint(endpoint) == endpoint
    else:
        with pytest.raises(ClosePayloadError, match=r"^request\.endpoint: got"):
            check_endpoint(endpoint)


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"ti": SimpleNamespace(try_number=1)}, False),
        ({"ti": SimpleNamespace(try_number=3)}, True),
        ({"ti": SimpleNamespace()}, False),
        ({}, False),
    ],
)
def test_is_retry(context, expected):
    assert is_retry(context) is expected


def test_created_since_uses_the_run_start_minus_the_margin():
    start = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    run = SimpleNamespace(start_date=start)
    assert created_since({"dag_run": run}) == start - CLOCK_SKEW_MARGIN
    without_run = created_since({})
    assert datetime.now(UTC) - CLOCK_SKEW_MARGIN - without_run < timedelta(seconds=5)


@pytest.mark.parametrize(
    ("payload", "candidate", "same"),
    [
        (
            {"name": "A", "emails": [{"email": "A@x.io", "type": "office"}]},
            {
                "name": "A",
                "emails": [{"email": "a@x.io", "type": "home", "is_unsubscribed": False}],
                "x": 1,
            },
            True,
        ),
        ({"name": "A"}, {"name": "B"}, False),
        ({"value": 500, "note": "n"}, {"value": 500, "note": "n", "status_id": "stat_x"}, True),
        ({"value": 500}, {"value": 501}, False),
        (
            {"phones": [{"phone": "+1", "type": "office"}, {"phone": "+2", "type": "office"}]},
            {"phones": [{"phone": "+2"}, {"phone": "+1"}]},
            True,
        ),
    ],
)
def test_same_fields_compares_only_what_was_sent(payload, candidate, same):
    assert _same_fields(payload, candidate) is same
