"""Pure tests of activity and task fingerprints."""

from __future__ import annotations

from typing import Any

import pytest

from airflow_provider_close.lookups.activities import (
    activity_fingerprint,
    activity_listing_params,
    identifying_fields,
    task_fingerprint,
    task_listing_params,
)

LEAD = "lead_" + "a" * 43

CALL = {
    "lead_id": LEAD,
    "direction": "outbound",
    "duration": 95,
    "phone": "+1 415-555-0123",
    "note": "Left details\nabout pricing",
    "activity_at": "2026-03-01T12:00:00+02:00",
}

# What Close returns for CALL: more fields, note_html derived from note, UTC with micros.
CALL_AS_STORED = {
    "id": "acti_x",
    "_type": "Call",
    "lead_id": LEAD,
    "contact_id": None,
    "direction": "outbound",
    "duration": 95,
    "phone": "+14155550123",
    "note": "Left details\nabout pricing",
    "note_html": "<body><p>Left details<br />about pricing</p></body>",
    "activity_at": "2026-03-01T10:00:00.000000+00:00",
    "date_created": "2026-03-01T10:05:00.123000+00:00",
    "status": "completed",
}


def _fields_of(kind: Any, payload: dict[str, Any]) -> tuple[str, ...]:
    from airflow_provider_close.lookups.activities import IDENTIFYING_FIELDS

    return identifying_fields(IDENTIFYING_FIELDS[kind], payload)


def test_stored_call_matches_its_payload_over_the_payload_fields() -> None:
    from airflow_provider_close.lookups.activities import fingerprint_over

    fields = _fields_of("call", CALL)
    assert fingerprint_over("call", CALL_AS_STORED, fields) == activity_fingerprint("call", CALL)


@pytest.mark.parametrize(
    ("change", "same"),
    [
        ({"note": "  Left   details about pricing "}, True),  # whitespace only
        ({"note": None, "note_html": "<body><p>Left details</p><p>about pricing</p></body>"}, True),
        ({"activity_at": "2026-03-01T10:00:00.999Z"}, True),  # same second, UTC
        ({"duration": 95.0}, True),
        ({"phone": "+14155550123"}, True),
        ({"note": "Left details about costs"}, False),
        ({"activity_at": "2026-03-01T10:00:01+00:00"}, False),
        ({"direction": "inbound"}, False),
        ({"lead_id": "lead_" + "b" * 43}, False),
        ({"duration": 96}, False),
    ],
)
def test_call_fingerprint_normalisation(change: dict[str, Any], same: bool) -> None:
    changed = {**CALL, **change}
    assert (activity_fingerprint("call", changed) == activity_fingerprint("call", CALL)) is same


def test_kind_is_part_of_the_fingerprint() -> None:
    note = {"lead_id": LEAD, "note": "hello"}
    assert activity_fingerprint("note", note) != activity_fingerprint("call", note)


def test_note_and_note_html_fold_into_content() -> None:
    assert _fields_of("note", {"lead_id": LEAD, "note_html": "<body>x</body>"}) == (
        "lead_id",
        "content",
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"lead_id": LEAD, "note": "x"}, {"lead_id": LEAD}),
        (
            {"lead_id": LEAD, "note": "x", "activity_at": "2026-03-01T10:00:00Z"},
            {"lead_id": LEAD, "date_created__gte": "2026-03-01T09:55:00+00:00"},
        ),
    ],
)
def test_activity_listing_params(payload: dict[str, Any], expected: dict[str, Any]) -> None:
    assert activity_listing_params("note", payload) == expected


def test_listing_needs_a_lead() -> None:
    with pytest.raises(ValueError, match="lead_id"):
        activity_listing_params("call", {"note": "x"})
    with pytest.raises(ValueError, match="lead_id"):
        task_listing_params({"text": "x"})


@pytest.mark.parametrize(
    ("other", "same"),
    [
        ({"date": "2026-03-10"}, True),
        ({"text": "Call  back"}, True),
        ({"date": "2026-03-11"}, False),
        ({"text": "Call later"}, False),
    ],
)
def test_task_fingerprint(other: dict[str, Any], same: bool) -> None:
    task = {"_type": "lead", "lead_id": LEAD, "text": "Call back", "date": "2026-03-10"}
    assert (task_fingerprint({**task, **other}) == task_fingerprint(task)) is same


def test_task_datetime_dates_compare_in_utc() -> None:
    a = {"lead_id": LEAD, "text": "t", "date": "2026-03-10T15:00:00+01:00"}
    b = {"lead_id": LEAD, "text": "t", "date": "2026-03-10T14:00:00.000000+00:00"}
    assert task_fingerprint(a) == task_fingerprint(b)
    assert task_listing_params(a) == {"lead_id": LEAD, "_type": "lead"}


def test_unparsable_times_are_compared_verbatim() -> None:
    a = {"lead_id": LEAD, "note": "x", "activity_at": "yesterday"}
    assert activity_fingerprint("note", a) == activity_fingerprint("note", dict(a))
    assert "date_created__gte" not in activity_listing_params("note", a)
