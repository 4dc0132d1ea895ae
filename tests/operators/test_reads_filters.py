"""Table-driven tests of the list query checks (pure: no network, no Airflow run)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from airflow_provider_close.client import ClosePayloadError
from airflow_provider_close.client.resources import RESOURCES
from airflow_provider_close.operators.reads_filters import (
    LIST_RESOURCES,
    list_query,
    window_bound,
)

LEAD = "lead_" + "a" * 43
USER = "user_" + "b" * 43
USER2 = "user_" + "c" * 43
CONTACT = "cont_" + "d" * 43
STATUS = "stat_" + "e" * 43


def test_every_list_resource_is_an_extraction_spec() -> None:
    for resource in LIST_RESOURCES.values():
        assert resource.spec_name in RESOURCES


@pytest.mark.parametrize(
    ("resource", "filters", "path", "params"),
    [
        ("lead", {"query": ' name:"Acme" '}, "lead/", {"query": 'name:"Acme"'}),
        ("contact", {"lead_id": LEAD}, "contact/", {"lead_id": LEAD}),
        ("contact", {"lead_id": None}, "contact/", {}),
        (
            "opportunity",
            {
                "status_type": "won",
                "user_id__in": [USER, USER2],
                "status_id__in": f"{STATUS}",
                "date_won__gte": date(2026, 1, 1),
                "is_stalled": "false",
            },
            "opportunity/",
            {
                "status_type": "won",
                "user_id__in": f"{USER},{USER2}",
                "status_id__in": STATUS,
                "date_won__gte": "2026-01-01",
                "is_stalled": "false",
            },
        ),
        (
            "task",
            {"is_complete": False, "assigned_to": USER, "date__lt": "2026-03-10T15:00:00Z"},
            "task/",
            {
                "_type": "all",
                "is_complete": "false",
                "assigned_to": USER,
                "date__lt": "2026-03-10T15:00:00+00:00",
            },
        ),
        (
            "task",
            {"_type": "email_followup", "view": "inbox"},
            "task/",
            {"_type": "email_followup", "view": "inbox"},
        ),
        (
            "activity",
            {"lead_id": LEAD, "_type": "Call", "user_id": USER},
            "activity/",
            {"lead_id": LEAD, "_type": "Call", "user_id": USER},
        ),
        ("activity", {"user_id": USER, "_type": "Email"}, "activity/email/", {"user_id": USER}),
        (
            "activity",
            {"contact_id": CONTACT, "_type": "Note"},
            "activity/note/",
            {"contact_id": CONTACT},
        ),
        ("activity", {}, "activity/", {}),
        ("activity.call", {"user_id": USER}, "activity/call/", {"user_id": USER}),
        ("activity.note", {"lead_id": LEAD}, "activity/note/", {"lead_id": LEAD}),
        ("user", None, "user/", {}),
        ("lead_status", {}, "status/lead/", {}),
        ("custom_field.opportunity", None, "custom_field/opportunity/", {}),
    ],
)
def test_builds_query(resource: str, filters: Any, path: str, params: dict[str, str]) -> None:
    query = list_query(resource, filters)
    assert query.spec.path == path
    assert dict(query.spec.params) == params


def test_window_bounds_are_aware_utc() -> None:
    query = list_query("activity.call", start="2026-01-01", end="2026-02-01T12:00:00+02:00")
    assert query.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert query.end == datetime(2026, 2, 1, 10, tzinfo=UTC)
    assert window_bound("start", None) is None
    # what "{{ data_interval_start }}" renders to
    rendered = window_bound("start", "2026-01-01 00:00:00+00:00")
    assert rendered == datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("resource", "filters", "extra", "field"),
    [
        ("leads", None, {}, "resource"),
        (None, None, {}, "resource"),
        ("contact", {"lead": LEAD}, {}, "contact.filters"),
        ("contact", {"lead_id": "lead_x"}, {}, "contact.filters.lead_id"),
        ("contact", ["lead_id"], {}, "contact.filters"),
        ("lead", {"query": "  "}, {}, "lead.filters.query"),
        ("opportunity", {"status_type": "open"}, {}, "opportunity.filters.status_type"),
        ("opportunity", {"user_id__in": []}, {}, "opportunity.filters.user_id__in"),
        ("opportunity", {"user_id__in": [USER, "bob"]}, {}, "opportunity.filters.user_id__in[1]"),
        ("opportunity", {"date_won__gte": "last week"}, {}, "opportunity.filters.date_won__gte"),
        ("opportunity", {"date_created__gte": "2026-01-01"}, {}, "opportunity.filters"),
        ("task", {"is_complete": "maybe"}, {}, "task.filters.is_complete"),
        ("task", {"view": "today"}, {}, "task.filters.view"),
        ("task", {"_type": "Lead Task"}, {}, "task.filters._type"),
        ("activity", {"user_id": USER}, {}, "activity.filters.user_id"),
        ("activity", {"contact_id": CONTACT}, {}, "activity.filters.contact_id"),
        ("activity", {"_type": "TaskCompleted"}, {}, "activity.filters._type"),
        ("activity", {"_type": "Fax", "lead_id": LEAD}, {}, "activity.filters._type"),
        ("activity.call", {"_type": "Call"}, {}, "activity.call.filters"),
        ("user", {"email": "a@b.c"}, {}, "user.filters"),
        ("lead", {"query": "acme"}, {"start": "2026-01-01"}, "lead.start"),
        ("user", None, {"end": "2026-01-01"}, "user.end"),
        ("task", None, {"start": "2026-02-01", "end": "2026-01-01"}, "task.end"),
        ("task", None, {"start": "2026-02-01T00:00:00"}, "task.start"),
        ("activity.email", None, {"end": "soon"}, "activity.email.end"),
    ],
)
def test_refuses(resource: Any, filters: Any, extra: dict[str, Any], field: str) -> None:
    with pytest.raises(ClosePayloadError) as caught:
        list_query(resource, filters, **extra)
    assert caught.value.field == field


def test_activity_refusal_names_the_way_out() -> None:
    with pytest.raises(ClosePayloadError, match="lead_id") as caught:
        list_query("activity", {"user_id": USER})
    assert "call, sms, note, email, meeting" in str(caught.value)


def test_date_created_refusal_points_at_start_end() -> None:
    with pytest.raises(ClosePayloadError, match="date_created with start/end"):
        list_query("activity.call", {"date_created__gt": "2026-01-01"})


@pytest.mark.parametrize(
    ("resource", "fields", "expected"),
    [
        ("activity.call", ["duration", "id"], "id,date_created,duration"),
        ("contact", ["name"], "id,date_created,name"),
        ("task", [" text "], "id,date_created,text"),
    ],
)
def test_fields_keep_what_the_engine_needs(resource: str, fields: list[str], expected: str) -> None:
    assert list_query(resource, fields=fields).spec.params["_fields"] == expected


@pytest.mark.parametrize("fields", ["name", [], ["id", ""], [3]])
def test_bad_fields_refused(fields: Any) -> None:
    with pytest.raises(ClosePayloadError) as caught:
        list_query("contact", fields=fields)
    assert caught.value.field.startswith("contact.fields")


def test_every_declared_filter_kind_is_checked() -> None:
    """Each kind the registry declares (id, ids, choice, choices, flag, text...) is checked."""
    query = list_query(
        "opportunity",
        {"status_type__in": ["won", "lost"], "status_type": "active", "value_period": "monthly"},
    )
    assert dict(query.spec.params) == {
        "status_type__in": "won,lost",
        "status_type": "active",
        "value_period": "monthly",
    }
    with pytest.raises(ClosePayloadError, match=r"status_type__in\[1\]"):
        list_query("opportunity", {"status_type__in": ["won", "sideways"]})
    with pytest.raises(ClosePayloadError, match="value_period"):
        list_query("opportunity", {"value_period": "weekly"})
    with pytest.raises(ClosePayloadError, match="view"):
        list_query("task", {"view": "later"})
