"""Table-driven tests of the sandbox's pure rules (no server, no network)."""

from __future__ import annotations

import re

import pytest

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.ids import IdFactory, id_suffix_length
from airflow_provider_close.sandbox.limits import PageLimits
from airflow_provider_close.sandbox.models.money import annualized, expected, format_cents
from airflow_provider_close.sandbox.models.notes_html import html_from_text, text_from_html
from airflow_provider_close.sandbox.models.phones import normalize_phone
from airflow_provider_close.sandbox.search.conditions import text_matches
from airflow_provider_close.sandbox.search.lead_query import QueryTerm, parse_lead_query
from airflow_provider_close.sandbox.timestamps import format_naive, format_timestamp, parse_moment


@pytest.mark.parametrize(
    ("prefix", "length"), [("lead", 43), ("acti", 43), ("cf", 43), ("ev", 22), ("pipe", 22)]
)
def test_ids_have_closes_prefix_and_suffix_length(prefix: str, length: int) -> None:
    new_id = IdFactory(7).new(prefix)
    assert re.fullmatch(rf"{prefix}_[0-9A-Za-z]{{{length}}}", new_id)
    assert id_suffix_length(prefix) == length


def test_ids_are_deterministic_per_seed() -> None:
    assert IdFactory(1).new("lead") == IdFactory(1).new("lead") != IdFactory(2).new("lead")


@pytest.mark.parametrize(
    ("raw", "e164", "formatted"),
    [
        ("+16505176539", "+16505176539", "+1 650-517-6539"),
        ("(650) 517-6539", "+16505176539", "+1 650-517-6539"),
        ("1 650 517 6539", "+16505176539", "+1 650-517-6539"),
        ("+44 20 7946 0958", "+442079460958", "+442079460958"),
    ],
)
def test_phones_normalize_to_e164(raw: str, e164: str, formatted: str) -> None:
    phone = normalize_phone(raw)
    assert phone is not None
    assert (phone.e164, phone.formatted) == (e164, formatted)


@pytest.mark.parametrize("raw", ["abc", "123", "+1234", "+1650517653912345678"])
def test_implausible_phones_are_rejected(raw: str) -> None:
    assert normalize_phone(raw) is None


@pytest.mark.parametrize(
    ("cents", "text"), [(50000, "$500"), (123456, "$1,234.56"), (5, "$0.05"), (-100, "-$1")]
)
def test_format_cents(cents: int, text: str) -> None:
    assert format_cents(cents) == text


@pytest.mark.parametrize(
    ("cents", "period", "yearly"),
    [(100, "one_time", 100), (100, "monthly", 1200), (100, "annual", 100)],
)
def test_annualized(cents: int, period: str, yearly: int) -> None:
    assert annualized(cents, period) == yearly


def test_expected_is_integer_cents() -> None:
    assert expected(999, 50) == 499


@pytest.mark.parametrize(
    ("text", "markup"),
    [("test", "<body><p>test</p></body>"), ("a<b", "<body><p>a&lt;b</p></body>"), ("", "")],
)
def test_note_round_trip(text: str, markup: str) -> None:
    assert html_from_text(text) == markup
    assert text_from_html(markup) == text


@pytest.mark.parametrize(
    ("haystack", "needle", "mode", "found"),
    [
        ("Acme Rockets Inc", "rockets", "full_words", True),
        ("Acme Rockets Inc", "rock", "full_words", False),
        ("Acme Rockets Inc", "rock", "beginning_of_words", True),
        ("Acme Rockets Inc", "rockets acme", "phrase", False),
        ("Acme Rockets Inc", "acme rockets", "phrase", True),
    ],
)
def test_text_modes(haystack: str, needle: str, mode: str, found: bool) -> None:
    assert text_matches(haystack, needle, mode) is found


def test_unknown_text_mode_is_a_bad_request() -> None:
    with pytest.raises(BadRequest):
        text_matches("a", "a", "sounds_like")


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ('name:"Acme Inc"', [QueryTerm("name", "Acme Inc")]),
        ("Email:a@b.co rockets", [QueryTerm("email", "a@b.co"), QueryTerm(None, "rockets")]),
        ('"custom.cf_AbC":"x y"', [QueryTerm("custom.cf_AbC", "x y")]),
        ('"two words" sort:date_created', [QueryTerm(None, "two words")]),
    ],
)
def test_lead_query_parsing(query: str, terms: list[QueryTerm]) -> None:
    assert parse_lead_query(query) == terms


def test_lead_query_refuses_unsupported_keywords() -> None:
    with pytest.raises(BadRequest):
        parse_lead_query("last_emailed:today")


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("2024-01-02", "2024-01-02T00:00:00.000000+00:00"),
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05.000000+00:00"),
        ("2024-01-02T05:04:05+02:00", "2024-01-02T03:04:05.000000+00:00"),
    ],
)
def test_moments_normalize_to_utc(raw: str, normalized: str) -> None:
    moment = parse_moment(raw)
    assert moment is not None
    assert format_timestamp(moment) == normalized
    assert format_naive(moment) == normalized.removesuffix("+00:00")


def test_page_limits_defaults_merge_overrides() -> None:
    limits = PageLimits.defaults(max_limit={"lead": 5}, max_skip={"activity": 10})
    assert (limits.limit_for("lead"), limits.limit_for("contact")) == (5, 100)
    assert (limits.skip_for("activity"), limits.skip_for("lead")) == (10, 250_000)
    assert (limits.default_limit_for("event"), limits.default_limit_for("task")) == (50, 100)
