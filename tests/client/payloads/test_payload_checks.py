"""Table-driven tests of the small payload checks: ids, dates, numbers, texts, contact points."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pendulum
import pytest

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact_points import (
    check_email_address,
    e164_phone,
    email_entries,
    phone_entries,
)
from airflow_provider_close.client.payloads.custom import custom_field_values
from airflow_provider_close.client.payloads.dates import (
    iso_date,
    iso_date_or_datetime,
    iso_datetime,
)
from airflow_provider_close.client.payloads.enums import CALL_DIRECTIONS, check_choice
from airflow_provider_close.client.payloads.ids import check_id, looks_like_id
from airflow_provider_close.client.payloads.scalars import bounded_int, check_bool, check_url
from airflow_provider_close.client.payloads.text import note_or_html, required_text

LEAD = "lead_" + "a1B2" * 10 + "xyz"
CF = "cf_" + "Z" * 43
PIPE = "pipe_" + "p" * 22


@pytest.mark.parametrize(
    ("kind", "value", "ok"),
    [
        ("lead", LEAD, True),
        ("lead", " " + LEAD + "\n", True),
        ("lead", "lead_" + "a" * 42, False),
        ("lead", "lead_" + "a" * 44, False),
        ("lead", "lead_" + "a" * 42 + "-", False),
        ("lead", "cont_" + "a" * 43, False),
        ("lead", None, False),
        ("lead", 42, False),
        ("activity", "acti_" + "a" * 43, True),
        ("activity", "call_" + "a" * 43, False),
        ("custom_field", CF, True),
        ("pipeline", PIPE, True),
        ("pipeline", "pipe_" + "p" * 43, False),
        ("sms_template", "smstmpl_" + "s" * 22, True),
        ("user", "user_" + "u" * 43, True),
        ("status", "stat_" + "s" * 43, True),
    ],
)
def test_id_format(kind, value, ok):
    assert looks_like_id(kind, value.strip() if isinstance(value, str) else value) is ok
    if ok:
        assert check_id("x.id", value, kind) == value.strip()
    else:
        with pytest.raises(ClosePayloadError, match=r"x\.id: got .*; allowed: '.*_' \+ \d+ base62"):
            check_id("x.id", value, kind)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2026, 3, 10, 15, 0, tzinfo=UTC), "2026-03-10T15:00:00+00:00"),
        (
            datetime(2026, 3, 10, 17, 0, tzinfo=timezone(timedelta(hours=2))),
            "2026-03-10T15:00:00+00:00",
        ),
        (pendulum.datetime(2026, 3, 10, 15, 0, tz="Europe/Paris"), "2026-03-10T14:00:00+00:00"),
        ("2026-03-10T15:00:00Z", "2026-03-10T15:00:00+00:00"),
        ("2026-03-10T15:00:00.123456+00:00", "2026-03-10T15:00:00.123456+00:00"),
        (" 2026-03-10T10:00:00-05:00 ", "2026-03-10T15:00:00+00:00"),
    ],
)
def test_iso_datetime_accepts(value, expected):
    assert iso_datetime("f", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-10T15:00:00",  # naive
        datetime(2026, 3, 10, 15, 0),  # naive
        "2026-03-10",  # date only
        date(2026, 3, 10),
        "tomorrow",
        "2026-13-01T00:00:00Z",
        "",
        1700000000,
        True,
        None,
    ],
)
def test_iso_datetime_rejects(value):
    with pytest.raises(ClosePayloadError, match=r"f: got .*; allowed: an ISO 8601 datetime"):
        iso_datetime("f", value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 3, 10), "2026-03-10"),
        (pendulum.date(2026, 3, 10), "2026-03-10"),
        ("2026-03-10", "2026-03-10"),
        (datetime(2026, 3, 10, 15, tzinfo=UTC), "2026-03-10T15:00:00+00:00"),
        ("2026-03-10T15:00:00+00:00", "2026-03-10T15:00:00+00:00"),
    ],
)
def test_iso_date_or_datetime_accepts(value, expected):
    assert iso_date_or_datetime("task.date", value) == expected


@pytest.mark.parametrize(
    "value", ["2026-02-30", "10/03/2026", "next week", 20260310, "2026-03-10T15:00"]
)
def test_iso_date_or_datetime_rejects(value):
    with pytest.raises(
        ClosePayloadError,
        match=r"task\.date: got .*; allowed: an ISO 8601 date, e.g. .*, or an ISO 8601 datetime",
    ):
        iso_date_or_datetime("task.date", value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (date(2026, 1, 2), True),
        ("2026-01-02", True),
        (datetime(2026, 1, 2, tzinfo=UTC), False),
        ("x", False),
    ],
)
def test_iso_date(value, ok):
    if ok:
        assert iso_date("d", value) == "2026-01-02"
    else:
        with pytest.raises(ClosePayloadError, match="allowed: an ISO 8601 date"):
            iso_date("d", value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (95, 95),
        ("95", 95),
        (" 7 ", 7),
        (604800, 604800),
        (-1, None),
        (604801, None),
        (1.5, None),
        (True, None),
        ("1e3", None),
        ("", None),
        (None, None),
    ],
)
def test_bounded_int(value, expected):
    if expected is None:
        with pytest.raises(
            ClosePayloadError, match=r"d: got .*; allowed: an integer from 0 to 604800"
        ):
            bounded_int("d", value, minimum=0, maximum=604800)
    else:
        assert bounded_int("d", value, minimum=0, maximum=604800) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("False", False),
        ("1", True),
        ("no", False),
        ("maybe", None),
        (1, None),
        (None, None),
    ],
)
def test_check_bool(value, expected):
    if expected is None:
        with pytest.raises(ClosePayloadError, match="allowed: True or False"):
            check_bool("b", value)
    else:
        assert check_bool("b", value) is expected


@pytest.mark.parametrize(
    ("value", "https_only", "ok"),
    [
        ("https://rec.example/1.mp3", True, True),
        ("http://rec.example/1.mp3", True, False),
        ("http://acme.example", False, True),
        ("ftp://acme.example", False, False),
        ("acme.example", False, False),
        ("https://", True, False),
        ("https://a b.example", True, False),
        (None, False, False),
    ],
)
def test_check_url(value, https_only, ok):
    if ok:
        assert check_url("u", value, https_only=https_only) == value
    else:
        with pytest.raises(ClosePayloadError, match=r"u: got .*; allowed: an http"):
            check_url("u", value, https_only=https_only)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+14155550123", "+14155550123"),
        ("+1 (415) 555-0123", "+14155550123"),
        ("+44 20 7946 0958", "+442079460958"),
        ("4155550123", None),
        ("+0123456789", None),
        ("+1415555012345678", None),
        ("call me", None),
        (None, None),
    ],
)
def test_e164_phone(value, expected):
    if expected is None:
        with pytest.raises(ClosePayloadError, match=r"allowed: an E\.164 phone number"):
            e164_phone("p", value)
    else:
        assert e164_phone("p", value) == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("ada@example.com", True),
        ("ada@example", False),
        ("Ada <ada@example.com>", False),
        ("", False),
        ("a@b@c.d", False),
    ],
)
def test_email_address(value, ok):
    if ok:
        assert check_email_address("e", value) == value
    else:
        with pytest.raises(ClosePayloadError, match="allowed: an email address"):
            check_email_address("e", value)


def test_typed_entries_default_and_explicit_types():
    assert email_entries("c.emails", ["a@x.io", {"email": "b@x.io", "type": "home"}]) == [
        {"email": "a@x.io", "type": "office"},
        {"email": "b@x.io", "type": "home"},
    ]
    assert phone_entries("c.phones", [{"phone": "+1 415 555 0123"}]) == [
        {"phone": "+14155550123", "type": "office"}
    ]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ("a@x.io", r"c\.emails"),
        (["a@x.io", "nope"], r"c\.emails\[1\]"),
        ([{"email": "a@x.io", "kind": "x"}], r"c\.emails\[0\]"),
        ([{"email": "a@x.io", "type": ""}], r"c\.emails\[0\]\.type"),
    ],
)
def test_typed_entries_reject(values, field):
    with pytest.raises(ClosePayloadError, match=rf"^{field}: got"):
        email_entries("c.emails", values)


def test_check_choice_names_allowed_values():
    assert check_choice("call.direction", "inbound", CALL_DIRECTIONS) == "inbound"
    with pytest.raises(ClosePayloadError) as err:
        check_choice("call.direction", "sideways", CALL_DIRECTIONS)
    assert str(err.value) == "call.direction: got 'sideways'; allowed: 'inbound' | 'outbound'"
    assert (err.value.field, err.value.value) == ("call.direction", "sideways")


@pytest.mark.parametrize("value", ["", "   ", None, 3])
def test_required_text_rejects_empty(value):
    with pytest.raises(ClosePayloadError, match="allowed: a non-empty string"):
        required_text("t", value)


@pytest.mark.parametrize(
    ("note", "note_html", "expected"),
    [
        ("hi", None, {"note": "hi"}),
        (None, "<p>hi</p>", {"note_html": "<body><p>hi</p></body>"}),
        (None, "<body><p>hi</p></body>", {"note_html": "<body><p>hi</p></body>"}),
        (None, None, {}),
    ],
)
def test_note_or_html(note, note_html, expected):
    assert note_or_html("call", note, note_html, required=False) == expected


def test_note_and_html_conflict():
    with pytest.raises(
        ClosePayloadError, match=r"call\.note_html: .*allowed: either note or note_html, not both"
    ):
        note_or_html("call", "a", "<p>b</p>", required=False)
    with pytest.raises(
        ClosePayloadError, match=r"note\.note: got None; allowed: exactly one of note or note_html"
    ):
        note_or_html("note", None, None, required=True)


def test_custom_field_values():
    assert custom_field_values("lead", {f"custom.{CF}": ["a", "b"]}) == {f"custom.{CF}": ["a", "b"]}
    with pytest.raises(ClosePayloadError, match=r"lead\.custom: got 'External ID'"):
        custom_field_values("lead", {"External ID": 1})
    with pytest.raises(ClosePayloadError, match=r"allowed: a string, number, boolean, None"):
        custom_field_values("lead", {f"custom.{CF}": {"nested": 1}})
