"""TieGroup: rows released in (date, id) order, duplicates dropped, bad order refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from airflow_provider_close.extraction import UnexpectedOrderError, Window
from airflow_provider_close.extraction.ordering import TieGroup, row_id

WINDOW = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))


def _row(identifier: str, minute: int) -> dict[str, Any]:
    return {"id": identifier, "date_created": f"2026-01-01T00:{minute:02d}:00.000000+00:00"}


def _feed(rows: list[dict[str, Any]]) -> tuple[list[str], TieGroup]:
    group = TieGroup("activity.call", "date_created", WINDOW)
    out: list[str] = []
    for row in rows:
        out.extend(row_id(r) for r in group.add(row))
    out.extend(row_id(r) for r in group.release())
    return out, group


@pytest.mark.parametrize(
    ("rows", "expected", "duplicates"),
    [
        ([], [], 0),
        ([_row("b", 1), _row("a", 1), _row("c", 2)], ["a", "b", "c"], 0),
        ([_row("z", 1), _row("y", 2), _row("x", 2), _row("w", 3)], ["z", "x", "y", "w"], 0),
        ([_row("a", 1), _row("b", 1), _row("a", 1)], ["a", "b"], 1),  # same row on two pages
    ],
)
def test_rows_come_out_by_date_then_id(
    rows: list[dict[str, Any]], expected: list[str], duplicates: int
) -> None:
    out, group = _feed(rows)
    assert out == expected
    assert group.duplicates == duplicates


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_row("a", 2), _row("b", 1)], "went back"),
        ([{"id": "a", "date_created": "2026-01-02T00:00:00+00:00"}], "outside"),
        ([{"id": "a", "date_created": "2025-12-31T23:59:59.999999+00:00"}], "outside"),
    ],
)
def test_out_of_order_or_out_of_window_rows_are_refused(
    rows: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(UnexpectedOrderError, match=message):
        _feed(rows)


def test_discard_forgets_the_held_group() -> None:
    group = TieGroup("activity.call", "date_created", WINDOW)
    released = [
        row_id(r) for row in (_row("a", 1), _row("b", 2), _row("c", 2)) for r in group.add(row)
    ]
    assert released == ["a"]
    assert group.discard() == 2
    assert list(group.release()) == []


def test_row_without_id_is_an_error() -> None:
    with pytest.raises(ValueError, match="without a string id"):
        row_id({"date_created": "2026-01-01T00:00:00+00:00"})
