"""Opportunity payloads: ``POST /opportunity/`` and ``PUT /opportunity/{id}/``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Self

from pydantic import model_validator

from airflow_provider_close.client.payloads.enums import ValuePeriod, ValueUnit
from airflow_provider_close.client.payloads.money import value_in_cents
from airflow_provider_close.client.payloads.types import (
    ContactId,
    Day,
    LeadId,
    Payload,
    Percent,
    PipelineId,
    StatusId,
    Text,
    UserId,
    with_custom,
)

__all__ = ["build_opportunity_payload", "build_opportunity_update"]


class _OpportunityUpdate(Payload):
    not_sent: ClassVar[frozenset[str]] = frozenset({"value_unit"})
    #: The amount in ``value_unit``; sent as integer cents.
    value: object = None
    value_unit: ValueUnit | None = None
    value_period: ValuePeriod | None = None
    status_id: StatusId | None = None
    confidence: Percent | None = None
    contact_id: ContactId | None = None
    user_id: UserId | None = None
    note: Text | None = None
    date_won: Day | None = None

    @model_validator(mode="after")
    def _cents(self) -> Self:
        self.value = value_in_cents("", self.value, self.value_unit)
        return self


class _Opportunity(_OpportunityUpdate):
    lead_id: LeadId
    pipeline_id: PipelineId | None = None


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
    """Return the body of ``POST /opportunity/``: the opportunity's fields plus custom keys.

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
    return with_custom("opportunity", _Opportunity.built("opportunity", locals()), custom)


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
    fields = _OpportunityUpdate.built("opportunity", locals())
    return with_custom("opportunity", fields, custom, update=True, allow_empty=allow_empty)
