"""The sandbox's keyset shortcut returns exactly the rows the date filter would (pure)."""

from __future__ import annotations

import pytest

from airflow_provider_close.sandbox.listing import date_bounds, keyset_bound, within

STAMPS = [f"2026-01-01T00:00:{s:02d}.000000+00:00" for s in (1, 2, 2, 3, 5, 5, 8)]
ROWS = [{"id": str(i), "date_created": stamp} for i, stamp in enumerate(STAMPS)]


@pytest.mark.parametrize(
    "bound",
    [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:02Z",
        "2026-01-01T00:00:04Z",
        "2026-01-01T00:00:05+00:00",
        "2026-01-01T00:00:09Z",
        "2026-01-01",
    ],
)
@pytest.mark.parametrize("order", ["date_created", "-date_created"])
def test_cut_equals_filter(bound: str, order: str) -> None:
    name = "date_created__gte" if order == "date_created" else "date_created__lte"
    rows = ROWS if order == "date_created" else list(reversed(ROWS))
    rest, cut = keyset_bound(
        {"_order_by": order, name: bound, "lead_id": "x"}, "date_created", "-date_created"
    )
    assert rest == {"_order_by": order, "lead_id": "x"}
    expected = [
        r for r in rows if within(r["date_created"], date_bounds({name: bound}, "date_created"))
    ]
    assert cut(rows) == expected


def test_other_orders_and_bounds_are_left_to_the_filter() -> None:
    params = {"_order_by": "date_created", "date_created__lt": "2026-01-01"}
    rest, cut = keyset_bound(params, "date_created", "-date_created")
    assert rest == params
    assert cut(ROWS) == ROWS
    default_desc = {"date_created__gte": "2026-01-01"}  # default order is descending
    assert keyset_bound(default_desc, "date_created", "-date_created")[0] == default_desc
