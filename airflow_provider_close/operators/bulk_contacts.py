"""Bulk contact upsert: warehouse rows to Close contacts, each under its lead (found or made).

Thin: streams the input, resolves custom field names, hands the rows to
``bulk.child_engine.upsert_children`` with contacts as the kind (``bulk/contact_kind.py``),
a batch at a time (``operators/bulk_children.py``), appending each batch's results to the
result file, and returns the summary. See docs/bulk.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import Context

from airflow_provider_close.bulk.child_engine import ParentLeads
from airflow_provider_close.bulk.contact_kind import contact_kind, parse_contact_mapping
from airflow_provider_close.bulk.contact_lookup import ContactKey
from airflow_provider_close.bulk.mapping import MappingError, parse_mapping
from airflow_provider_close.bulk.plan import key_column
from airflow_provider_close.bulk.resolve import custom_keys_for, match_key_for
from airflow_provider_close.bulk.results import SyncSummary
from airflow_provider_close.lookups.custom_fields import CustomFieldResolver
from airflow_provider_close.operators.bulk import _CloseUpsertOperator
from airflow_provider_close.operators.bulk_children import _CloseUpsertChildrenOperator

__all__ = ["CloseUpsertContactsOperator"]


class CloseUpsertContactsOperator(_CloseUpsertChildrenOperator):
    """Create or update Close contacts from warehouse rows; a missing lead is created first.

    Exactly one input: ``rows``, ``sql`` (with ``sql_conn_id``) or ``file``. Returns (XCom)
    the same :class:`~airflow_provider_close.bulk.results.SyncSummary` as
    ``CloseUpsertLeadsOperator``; every row appears once in the result file
    (``row, key, action, close_id, error``; ``close_id`` is the contact's).

    :param mapping: row columns -> contact fields (``name``, ``title``, ``emails``,
        ``phones``, ``urls``) and ``custom`` contact fields (templated).
    :param match_key: ``email`` (the first mapped email column) or a contact custom field
        name/``cf_`` id (templated).
    :param lead_mapping: row columns -> the lead's fields, as in ``CloseUpsertLeadsOperator``;
        used to create a lead no lead key finds (templated).
    :param lead_match_key: ``name`` or a lead custom field name/``cf_`` id naming the lead
        (templated).
    :param mode: ``upsert`` (default), ``update_only`` or ``create_only`` (of contacts; a
        missing lead is always created).
    :param fill_only_when_empty: contact fields written only while Close holds no value.
    :param dry_run: look up and plan only.
    :param settle_seconds: on a retry, how long after this try started a search finding
        nothing is believed (the search index trails writes).
    :param batch_size: rows read, looked up, planned and written at a time (default 1000);
        SQL and files are streamed, so memory follows this, not the input size.

    The input, result file, threshold and concurrency arguments are those of
    ``CloseUpsertLeadsOperator``.
    """

    lineage_object_types = ("contact", "lead")  # a missing lead is created
    template_fields: Sequence[str] = (
        *_CloseUpsertOperator.template_fields,
        "lead_mapping",
        "lead_match_key",
    )

    def __init__(self, *, lead_mapping: dict[str, Any], lead_match_key: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lead_mapping = lead_mapping
        self.lead_match_key = lead_match_key

    def execute(self, context: Context) -> SyncSummary:
        """Run the upsert and return the summary (pushed to XCom)."""
        mapping = parse_contact_mapping(self.mapping)
        lead_mapping = parse_mapping(self.lead_mapping)
        if lead_mapping.contacts:
            raise MappingError("lead_mapping must not map contacts: the rows are the contacts")
        self._fill_only(mapping.standard, list(mapping.custom))
        resolver = CustomFieldResolver(self.hook.client, "contact")
        custom_keys = custom_keys_for(mapping, resolver)
        lead_resolver = CustomFieldResolver(self.hook.client, "lead")
        lead_custom = custom_keys_for(lead_mapping, lead_resolver)
        lead_key = match_key_for(self.lead_match_key, lead_resolver)
        key = ContactKey(
            None if self.match_key == "email" else resolver.field_id_for(self.match_key)
        )
        options = self._options(context, mapping.standard, custom_keys)
        kind = contact_kind(
            mapping,
            key,
            custom_keys,
            chunk_size=options.lookup_chunk_size,
            check=resolver.checked_value,
        )
        parent = ParentLeads(
            lead_key,
            key_column(lead_mapping, lead_key, lead_custom),
            lead_mapping,
            lead_custom,
            check=lead_resolver.checked_value,
        )
        self.log.info("Upserting rows into Close contacts (match on %s)", self.match_key)
        return self._run_children(context, kind, parent, options)
