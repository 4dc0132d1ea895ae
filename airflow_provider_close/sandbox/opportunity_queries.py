"""Filtering, ordering and the aggregates of ``GET /opportunity/`` (close-api.md §6.9)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.listing import DateBounds, date_bounds, value_set, within
from airflow_provider_close.sandbox.models.money import expected
from airflow_provider_close.sandbox.records import Record

__all__ = ["ORDER_FIELDS", "OpportunityQuery", "opportunity_aggregates", "opportunity_query"]

_SET_FILTERS = (
    "id",
    "lead_id",
    "user_id",
    "contact_id",
    "status_id",
    "status_type",
    "status_label",
    "value_period",
    "pipeline_id",
)
_DATE_FIELDS = ("date_won", "date_created", "date_updated")
ORDER_FIELDS = (
    "date_won",
    "date_updated",
    "date_created",
    "confidence",
    "user_name",
    "value",
    "annualized_value",
    "annualized_expected_value",
)
_PERIODS = ("one_time", "monthly", "annual")


@dataclass(frozen=True)
class OpportunityQuery:
    """A validated opportunity list query.

    :param sets: field -> accepted values.
    :param bounds: date field -> bounds.
    :param order_by: sort field with optional ``-``, or None (creation order).
    """

    sets: Mapping[str, set[str]]
    bounds: Mapping[str, DateBounds]
    order_by: str | None

    def matches(self, record: Record) -> bool:
        """Return whether an opportunity passes every filter.

        :param record: the opportunity.
        """
        if any(record.get(name) not in accepted for name, accepted in self.sets.items()):
            return False
        return all(within(record.get(name), b) for name, b in self.bounds.items())

    def ordered(self, records: list[Record]) -> list[Record]:
        """Return ``records`` in the requested order.

        :param records: the matching opportunities.
        """
        if not self.order_by:
            return records
        field = self.order_by.lstrip("-")
        numeric = field in ("confidence", "value", "annualized_value", "annualized_expected_value")

        def key(record: Record) -> tuple[int, object]:
            value = record.get(field)
            return (value is None, value if numeric else str(value or ""))

        return sorted(records, key=key, reverse=self.order_by.startswith("-"))


def opportunity_query(params: Mapping[str, str]) -> OpportunityQuery:
    """Return the query of ``GET /opportunity/``.

    :param params: the query parameters.
    :raises BadRequest: an unsupported ordering or a bad date.
    """
    sets = {
        name: values for name in _SET_FILTERS if (values := value_set(params, name)) is not None
    }
    order_by = params.get("_order_by") or None
    if order_by is not None and order_by.lstrip("-") not in ORDER_FIELDS:
        raise BadRequest(f"Ordering by {order_by} is not supported.")
    bounds = {name: date_bounds(params, name) for name in _DATE_FIELDS}
    return OpportunityQuery(sets, bounds, order_by)


def opportunity_aggregates(records: Iterable[Record]) -> Record:
    """Return the totals Close adds to every opportunity list, over all matches.

    :param records: every matching opportunity (not just the page).
    """
    items = list(records)
    totals: Record = {"total_results": len(items), "count_by_value_period": {}}
    for period in _PERIODS:
        chosen = [item for item in items if item["value_period"] == period]
        totals["count_by_value_period"][period] = len(chosen)
        totals[f"total_value_{period}"] = sum(item["value"] for item in chosen)
        totals[f"expected_value_{period}"] = sum(
            expected(item["value"], item["confidence"]) for item in chosen
        )
    totals["total_value_annualized"] = sum(item["annualized_value"] for item in items)
    totals["expected_value_annualized"] = sum(item["annualized_expected_value"] for item in items)
    return totals
