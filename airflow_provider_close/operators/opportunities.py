"""Operators for opportunities: create and update, with the value's unit chosen explicitly.

``value`` always comes with ``value_unit="units"`` (currency units, e.g. 499.99 dollars)
or ``value_unit="cents"`` (49999); there is no default, so 500 can never be misread.
XCom: ``{"id", "object", "action"}``; the lead id is pushed for the "View in Close" link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from airflow_provider_close.operators._base import (
    CloseCreateOperator,
    CloseLeadOperator,
    CloseObjectResult,
    object_result,
    push_lead_id,
)

if TYPE_CHECKING:
    from airflow_provider_close.client.payloads.enums import ValuePeriod, ValueUnit

__all__ = ["CloseCreateOpportunityOperator", "CloseUpdateOpportunityOperator"]

Amount = int | float | Decimal | str

_OPPORTUNITY_TEMPLATE_FIELDS = (
    "value",
    "value_unit",
    "value_period",
    "status",
    "confidence",
    "contact_id",
    "user_id",
    "note",
    "date_won",
    "custom_fields",
)


class _OpportunityFieldsOperator(CloseLeadOperator):
    """Holds the opportunity fields shared by create and update, and resolves names."""

    def __init__(
        self,
        *,
        value: Amount | None = None,
        value_unit: ValueUnit | None = None,
        value_period: ValuePeriod | None = None,
        status: str | None = None,
        confidence: int | str | None = None,
        contact_id: str | None = None,
        user_id: str | None = None,
        note: str | None = None,
        date_won: date | str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.value = value
        self.value_unit = value_unit
        self.value_period = value_period
        self.status = status
        self.confidence = confidence
        self.contact_id = contact_id
        self.user_id = user_id
        self.note = note
        self.date_won = date_won
        self.custom_fields = custom_fields

    def common_fields(self) -> dict[str, object]:
        """Return the fields both builders take, as given (the builders check them)."""
        return {
            "value": self.value,
            "value_unit": self.value_unit,
            "value_period": self.value_period,
            "confidence": self.confidence,
            "contact_id": self.contact_id,
            "user_id": self.user_id,
            "note": self.note,
            "date_won": self.date_won,
        }

    def resolved(
        self, custom_inputs: Mapping[str, object], status: str | None, pipeline_id: str | None
    ) -> tuple[dict[str, object], str | None]:
        """Return custom values keyed ``custom.cf_…`` and the status id (GETs only if needed)."""
        from airflow_provider_close.lookups.custom_fields import CustomFieldResolver
        from airflow_provider_close.lookups.statuses import StatusResolver

        client = self.hook.client
        custom = (
            CustomFieldResolver(client, "opportunity").resolve_mapping(custom_inputs)
            if custom_inputs
            else {}
        )
        resolver = StatusResolver(client, "opportunity", pipeline_id=pipeline_id)
        return custom, resolver.status_id_for(status) if status else None


class CloseCreateOpportunityOperator(_OpportunityFieldsOperator, CloseCreateOperator):
    """Create an opportunity on a lead, at most once under retries.

    XCom: ``{"id", "object", "action"}`` (``created`` or ``found_existing``).

    :param lead_id: the lead (``lead_…``); required (templated).
    :param value: the amount, read according to ``value_unit`` (templated).
    :param value_unit: ``"units"`` or ``"cents"``; required with ``value`` (templated).
    :param value_period: ``one_time``, ``monthly`` or ``annual`` (templated).
    :param status: an opportunity status by ``stat_`` id or label (templated).
    :param pipeline_id: the pipeline (``pipe_…``); also narrows status labels (templated).
    :param confidence: 0 to 100 (templated).
    :param contact_id: the contact (``cont_…``) (templated).
    :param user_id: the owner (``user_…``) (templated).
    :param note: free text (templated).
    :param date_won: a date (templated).
    :param custom_fields: ``{field name or cf_ id: value}`` (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "lead_id",
        "pipeline_id",
        *_OPPORTUNITY_TEMPLATE_FIELDS,
        "close_conn_id",
    )

    def __init__(self, *, lead_id: str, pipeline_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lead_id = lead_id
        self.pipeline_id = pipeline_id

    def _payload(self, custom: Mapping[str, object], status_id: str | None) -> dict[str, object]:
        from airflow_provider_close.client.payloads.opportunity import build_opportunity_payload

        return build_opportunity_payload(
            lead_id=self.lead_id,
            pipeline_id=self.pipeline_id,
            status_id=status_id,
            custom=custom,
            **self.common_fields(),
        )

    def execute(self, context: Context) -> CloseObjectResult:
        """Create it unless an earlier try did; return ``{"id", "object", "action"}``."""
        from airflow_provider_close.client.payloads.custom import custom_field_inputs
        from airflow_provider_close.client.payloads.text import optional_text
        from airflow_provider_close.idempotency.matching import created_since, find_recent_object

        custom_inputs = custom_field_inputs("opportunity", self.custom_fields)
        status = optional_text("opportunity.status", self.status)
        checked = self._payload({}, None)  # before any request
        push_lead_id(context, str(checked["lead_id"]))
        pipeline = checked.get("pipeline_id")
        custom, status_id = self.resolved(
            custom_inputs, status, str(pipeline) if pipeline else None
        )
        payload = self._payload(custom, status_id)
        since = created_since(context)
        params = {"lead_id": payload["lead_id"], "date_created__gte": since.isoformat()}
        return self.create_at_most_once(
            context,
            create=lambda: self.hook.create_opportunity(payload),
            find_existing=lambda: find_recent_object(
                self.hook.client, "opportunity/", params, payload, since
            ),
            source="immediate",  # the lead's opportunities, filtered by date_created
            what="opportunity",
        )


class CloseUpdateOpportunityOperator(_OpportunityFieldsOperator):
    """Update an opportunity's fields (only those given).

    XCom: ``{"id", "object", "action": "updated"}``.

    :param opportunity_id: the opportunity (``oppo_…``) (templated).
    :param value: the new amount, read according to ``value_unit`` (templated).
    :param value_unit: ``"units"`` or ``"cents"``; required with ``value`` (templated).
    :param value_period: ``one_time``, ``monthly`` or ``annual`` (templated).
    :param status: the new status by ``stat_`` id or label (templated).
    :param confidence: 0 to 100 (templated).
    :param contact_id: the new contact (templated).
    :param user_id: the new owner (templated).
    :param note: the new note (templated).
    :param date_won: a date (templated).
    :param custom_fields: ``{field name or cf_ id: value}``; ``None`` unsets (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "opportunity_id",
        *_OPPORTUNITY_TEMPLATE_FIELDS,
        "close_conn_id",
    )

    def __init__(self, *, opportunity_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.opportunity_id = opportunity_id

    def _payload(
        self, custom: Mapping[str, object], status_id: str | None, *, allow_empty: bool = False
    ) -> dict[str, object]:
        from airflow_provider_close.client.payloads.opportunity import build_opportunity_update

        return build_opportunity_update(
            status_id=status_id, custom=custom, allow_empty=allow_empty, **self.common_fields()
        )

    def execute(self, context: Context) -> CloseObjectResult:
        """Update the opportunity; return ``{"id", "object", "action": "updated"}``."""
        from airflow_provider_close.client.payloads.custom import custom_field_inputs
        from airflow_provider_close.client.payloads.ids import check_id
        from airflow_provider_close.client.payloads.text import optional_text

        opportunity_id = check_id("opportunity.opportunity_id", self.opportunity_id, "opportunity")
        custom_inputs = custom_field_inputs("opportunity", self.custom_fields)
        status = optional_text("opportunity.status", self.status)
        self._payload({}, None, allow_empty=bool(custom_inputs or status))  # before any request
        custom, status_id = self.resolved(custom_inputs, status, None)
        opportunity = self.hook.update_opportunity(opportunity_id, self._payload(custom, status_id))
        push_lead_id(context, opportunity.get("lead_id"))
        return object_result(opportunity, "updated")
