"""Bulk opportunity upsert: warehouse rows to Close opportunities of existing leads.

Thin: streams the input, resolves custom field names and status labels, hands the rows to
``bulk.child_engine.upsert_children`` with opportunities as the kind
(``bulk/opportunity_kind.py``), a batch at a time (``operators/bulk_children.py``),
appending each batch's results to the result file, and returns the summary. See docs/bulk.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import Context

from airflow_provider_close.bulk.child_engine import ParentLeads
from airflow_provider_close.bulk.mapping import MappingError
from airflow_provider_close.bulk.opportunity_kind import (
    opportunity_kind,
    parse_opportunity_mapping,
)
from airflow_provider_close.bulk.resolve import custom_keys_for, match_key_for
from airflow_provider_close.bulk.results import SyncSummary
from airflow_provider_close.client.payloads.enums import VALUE_UNITS
from airflow_provider_close.lookups.custom_fields import CustomFieldResolver
from airflow_provider_close.lookups.statuses import StatusResolver
from airflow_provider_close.operators.bulk import _CloseUpsertOperator
from airflow_provider_close.operators.bulk_children import _CloseUpsertChildrenOperator

__all__ = ["CloseUpsertOpportunitiesOperator"]


class CloseUpsertOpportunitiesOperator(_CloseUpsertChildrenOperator):
    """Create or update Close opportunities from warehouse rows, under leads found by key.

    Exactly one input: ``rows``, ``sql`` (with ``sql_conn_id``) or ``file``. Returns (XCom)
    the same :class:`~airflow_provider_close.bulk.results.SyncSummary` as
    ``CloseUpsertLeadsOperator``; every row appears once in the result file
    (``close_id`` is the opportunity's). A row whose lead is not found is ``invalid``.

    :param mapping: row columns -> opportunity fields (``status`` label or id, ``value``,
        ``value_period``, ``confidence``, ``note``, ``date_won``, ``user_id``) and ``custom``
        opportunity fields (templated).
    :param match_key: an opportunity custom field name/``cf_`` id (an external id), mapped
        in ``mapping.custom`` (templated).
    :param lead_match_key: ``name`` or a lead custom field name/``cf_`` id (templated).
    :param lead_key_column: the row column holding the lead's key value (templated).
    :param value_unit: ``units`` or ``cents``: how ``value`` cells are read (required when
        ``value`` is mapped; no default, so 500 is never misread).
    :param pipeline_id: narrows status labels to one pipeline (labels may repeat).
    :param mode: ``upsert`` (default), ``update_only`` or ``create_only``.
    :param fill_only_when_empty: opportunity fields written only while Close holds no value.
    :param dry_run: look up and plan only.
    :param settle_seconds: on a retry, how long after this try started a lead search
        finding nothing is believed.
    :param batch_size: rows read, looked up, planned and written at a time (default 1000);
        SQL and files are streamed, so memory follows this, not the input size.

    The input, result file, threshold and concurrency arguments are those of
    ``CloseUpsertLeadsOperator``.
    """

    lineage_object_types = ("opportunity",)
    template_fields: Sequence[str] = (
        *_CloseUpsertOperator.template_fields,
        "lead_match_key",
        "lead_key_column",
    )

    def __init__(
        self,
        *,
        lead_match_key: str,
        lead_key_column: str,
        value_unit: str | None = None,
        pipeline_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.lead_match_key = lead_match_key
        self.lead_key_column = lead_key_column
        if value_unit is not None and value_unit not in VALUE_UNITS:
            allowed = ", ".join(repr(u) for u in VALUE_UNITS)
            raise MappingError(f"value_unit must be one of {allowed}, got {value_unit!r}")
        self.value_unit = value_unit
        self.pipeline_id = pipeline_id

    def execute(self, context: Context) -> SyncSummary:
        """Run the upsert and return the summary (pushed to XCom)."""
        mapping = parse_opportunity_mapping(self.mapping)
        self._fill_only(list(mapping.fields), list(mapping.custom))
        if "value" in mapping.fields and self.value_unit is None:
            raise MappingError("value_unit ('units' or 'cents') is required when value is mapped")
        resolver = CustomFieldResolver(self.hook.client, "opportunity")
        custom_keys = custom_keys_for(mapping, resolver)
        statuses = StatusResolver(self.hook.client, "opportunity", pipeline_id=self.pipeline_id)
        if "status" in mapping.fields:
            statuses.known_labels()  # listed once, before the loop; then lookups are pure
        lead_key = match_key_for(self.lead_match_key, CustomFieldResolver(self.hook.client, "lead"))
        options = self._options(context, list(mapping.fields), custom_keys)
        kind = opportunity_kind(
            mapping,
            resolver.key_for(self.match_key),
            custom_keys,
            value_unit=self.value_unit,
            status_id_for=statuses.status_id_for,
            check=resolver.checked_value,
        )
        parent = ParentLeads(lead_key, self.lead_key_column)
        self.log.info("Upserting rows into Close opportunities (match on %s)", self.match_key)
        return self._run_children(context, kind, parent, options)
