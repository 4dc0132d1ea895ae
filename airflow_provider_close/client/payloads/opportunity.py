"""Opportunity payloads: ``POST /opportunity/`` and ``PUT /opportunity/{id}/``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, cast

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.custom import custom_field_values
from airflow_provider_close.client.payloads.dates import optional_iso_date
from airflow_provider_close.client.payloads.enums import VALUE_PERIODS, ValuePeriod, check_choice
from airflow_provider_close.client.payloads.fields import given_fields
from airflow_provider_close.client.payloads.ids import check_id, check_optional_id
from airflow_provider_close.client.payloads.money import value_in_cents
from airflow_provider_close.client.payloads.scalars import optional_bounded_int
from airflow_provider_close.client.payloads.text import optional_text

__all__ = ["OpportunityFields", "build_opportunity_payload", "build_opportunity_update"]


class OpportunityFields(TypedDict, total=False):
    """The standard fields of an opportunity as sent to Close."""

    lead_id: str
    status_id: str
    pipeline_id: str
    value: int
    value_period: ValuePeriod
    confidence: int
    contact_id: str
    user_id: str
    note: str
    date_won: str


def _optional_fields(
    *,
    status_id: object,
    pipeline_id: object,
    value_period: object,
    confidence: object,
    contact_id: object,
    user_id: object,
    note: object,
    date_won: object,
) -> OpportunityFields:
    checked: dict[str, object] = {
        "status_id": check_optional_id("opportunity.status_id", status_id, "status"),
        "pipeline_id": check_optional_id("opportunity.pipeline_id", pipeline_id, "pipeline"),
        "value_period": None
        if value_period is None
        else check_choice("opportunity.value_period", value_period, VALUE_PERIODS),
        "confidence": optional_bounded_int(
            "opportunity.confidence", confidence, minimum=0, maximum=100
        ),
        "contact_id": check_optional_id("opportunity.contact_id", contact_id, "contact"),
        "user_id": check_optional_id("opportunity.user_id", user_id, "user"),
        "note": optional_text("opportunity.note", note),
        "date_won": optional_iso_date("opportunity.date_won", date_won),
    }
    return cast(OpportunityFields, given_fields(checked))


def build_opportunity_payload(
    *,
    lead_id: object,
    value: object = None,
    value_unit: object = None,
    value_period: object = None,
    status_id: object = None,
    pipeline_id: object = None,
    confidence: object = None,
    contact_id: object = None,
    user_id: object = None,
    note: object = None,
    date_won: object = None,
    custom: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """Return the body of ``POST /opportunity/``: :class:`OpportunityFields` plus custom keys.

    :param lead_id: the lead (``lead_…``); required (Close would otherwise create an
        "Untitled" lead).
    :param value: the amount, interpreted according to ``value_unit``.
    :param value_unit: ``"units"`` or ``"cents"``; required with ``value``, no default.
    :param value_period: ``one_time`` | ``monthly`` | ``annual``.
    :param status_id: an opportunity status id (``stat_…``); default: the first status.
    :param pipeline_id: a pipeline id (``pipe_…``).
    :param confidence: 0 to 100.
    :param contact_id: a contact of the lead (``cont_…``).
    :param user_id: the owner (``user_…``).
    :param note: free text.
    :param date_won: a date.
    :param custom: custom field values already keyed ``custom.cf_…``.
    """
    fields = _optional_fields(
        status_id=status_id,
        pipeline_id=pipeline_id,
        value_period=value_period,
        confidence=confidence,
        contact_id=contact_id,
        user_id=user_id,
        note=note,
        date_won=date_won,
    )
    fields["lead_id"] = check_id("opportunity.lead_id", lead_id, "lead")
    cents = value_in_cents("opportunity", value, value_unit)
    if cents is not None:
        fields["value"] = cents
    return {**fields, **custom_field_values("opportunity", custom)}


def build_opportunity_update(
    *,
    value: object = None,
    value_unit: object = None,
    value_period: object = None,
    status_id: object = None,
    confidence: object = None,
    contact_id: object = None,
    user_id: object = None,
    note: object = None,
    date_won: object = None,
    custom: Mapping[str, object] | None = None,
    allow_empty: bool = False,
) -> dict[str, object]:
    """Return the body of ``PUT /opportunity/{id}/``: only the fields given (``None`` = unchanged).

    :param value: the new amount, interpreted according to ``value_unit``.
    :param value_unit: ``"units"`` or ``"cents"``; required with ``value``.
    :param value_period: ``one_time`` | ``monthly`` | ``annual``.
    :param status_id: the new status id.
    :param confidence: 0 to 100.
    :param contact_id: the new contact.
    :param user_id: the new owner.
    :param note: the new note.
    :param date_won: a date.
    :param custom: custom field values keyed ``custom.cf_…``; ``None`` values unset.
    :param allow_empty: accept an empty result (checking fields before custom names are
        resolved).
    """
    fields = _optional_fields(
        status_id=status_id,
        pipeline_id=None,
        value_period=value_period,
        confidence=confidence,
        contact_id=contact_id,
        user_id=user_id,
        note=note,
        date_won=date_won,
    )
    cents = value_in_cents("opportunity", value, value_unit)
    if cents is not None:
        fields["value"] = cents
    payload = {**fields, **custom_field_values("opportunity", custom)}
    if not payload and not allow_empty:
        raise ClosePayloadError("opportunity", None, "at least one field to update")
    return payload
