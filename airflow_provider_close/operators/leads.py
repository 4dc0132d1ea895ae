"""Operators for leads: create (with de-duplication), update and get.

Every operator returns ``{"id", "object", "action"}`` (see ``_base.CloseObjectResult``) and
pushes the lead id for the "View in Close" link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import Context

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.operators._base import (
    CloseCreateOperator,
    CloseLeadOperator,
    CloseObjectResult,
    object_result,
    push_lead_id,
)
from airflow_provider_close.operators.reads_get import CloseGetObjectOperator

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient
    from airflow_provider_close.idempotency.leads import IfExists, LeadMatch
    from airflow_provider_close.lookups.custom_fields import CustomFieldResolver

__all__ = ["CloseCreateLeadOperator", "CloseGetLeadOperator", "CloseUpdateLeadOperator"]

JSONObject = dict[str, Any]


def _resolved(
    client: CloseClient,
    custom: Mapping[str, object],
    status: str | None,
    fields: CustomFieldResolver | None = None,
) -> tuple[dict[str, object], str | None]:
    """Return the custom values keyed ``custom.cf_…`` and the status id (GETs, no writes)."""
    from airflow_provider_close.lookups.custom_fields import CustomFieldResolver
    from airflow_provider_close.lookups.statuses import StatusResolver

    fields = fields or CustomFieldResolver(client, "lead")
    resolved = fields.resolve_mapping(custom) if custom else {}
    status_id = StatusResolver(client, "lead").status_id_for(status) if status else None
    return resolved, status_id


class CloseCreateLeadOperator(CloseCreateOperator):
    """Create a lead with its contacts and addresses, optionally de-duplicated.

    Everything is validated before any request; custom field names and the status label are
    then resolved (GETs); then the lead is searched (if ``if_exists`` is not ``create``, or
    on a retry) and created at most once. XCom: ``{"id", "object", "action"}`` with action
    ``created``, ``found_existing`` (a retry found the lead an earlier try created),
    ``skipped`` or ``updated``.

    :param name: the lead (company) name (templated).
    :param description: free text (templated).
    :param url: the company web site (templated).
    :param status: a lead status, by ``stat_`` id or by label (templated).
    :param contacts: dicts of ``name, title, emails, phones, urls`` (templated).
    :param addresses: dicts of ``label, address_1, address_2, city, state, zipcode,
        country`` (templated).
    :param custom_fields: ``{field name or cf_ id: value}`` (templated).
    :param if_exists: ``create`` (default: always create, as Close does), ``skip`` (return
        the existing lead), ``update`` (update it with these fields; contacts are not
        touched) or ``fail`` (templated).
    :param match_on: what identifies "the same lead": ``"name"``, ``"contact_email"`` or a
        custom field name or id present in ``custom_fields`` (templated). Required unless
        ``if_exists="create"``; with ``create`` it is only used to recover on retries
        (default there: the name).
    :param settle_seconds: after a lost response or on a retry, how long after the lost
        attempt a lead search that finds nothing is believed before creating (default 60).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "name",
        "description",
        "url",
        "status",
        "contacts",
        "addresses",
        "custom_fields",
        "if_exists",
        "match_on",
        "close_conn_id",
    )

    def __init__(
        self,
        *,
        name: str,
        description: str | None = None,
        url: str | None = None,
        status: str | None = None,
        contacts: Sequence[Mapping[str, Any]] | None = None,
        addresses: Sequence[Mapping[str, str]] | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        if_exists: IfExists = "create",
        match_on: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.description = description
        self.url = url
        self.status = status
        self.contacts = contacts
        self.addresses = addresses
        self.custom_fields = custom_fields
        self.if_exists = if_exists
        self.match_on = match_on

    def _payload(self, custom: Mapping[str, object], status_id: str | None) -> dict[str, object]:
        from airflow_provider_close.client.payloads.lead import build_lead_payload

        return build_lead_payload(
            name=self.name,
            description=self.description,
            url=self.url,
            status_id=status_id,
            contacts=self.contacts,
            addresses=self.addresses,
            custom=custom,
        )

    def _act_on_existing(
        self, mode: IfExists, leads: list[JSONObject], payload: Mapping[str, object]
    ) -> CloseObjectResult:
        ids = [str(lead["id"]) for lead in leads]
        if mode == "fail":
            raise AirflowFailException(f"A lead matching {self.match_on!r} already exists: {ids}")
        if mode == "skip":
            self.log.info("Lead exists (%s); skipping (if_exists='skip')", ids)
            return object_result(self.hook.get_lead(ids[0]), "skipped")
        if len(ids) > 1:
            raise AirflowFailException(
                f"if_exists='update' needs {self.match_on!r} to match one lead, not {ids}"
            )
        update = {key: value for key, value in payload.items() if key != "contacts"}
        return object_result(self.hook.update_lead(ids[0], update), "updated")

    def _checked_payload_and_match(self, mode: IfExists) -> tuple[dict[str, object], LeadMatch]:
        """Validate everything (no request), then resolve names (GETs only)."""
        from airflow_provider_close.client.payloads.custom import custom_field_inputs
        from airflow_provider_close.client.payloads.text import optional_text
        from airflow_provider_close.idempotency.leads import (
            check_match_on,
            check_match_value,
            lead_match,
        )
        from airflow_provider_close.lookups.custom_fields import CustomFieldResolver

        custom_inputs = custom_field_inputs("lead", self.custom_fields)
        match_on = check_match_on(self.match_on, mode, custom_inputs)
        status = optional_text("lead.status", self.status)
        checked = self._payload({}, None)  # validates everything that needs no request
        if match_on is not None:
            check_match_value(match_on, checked, custom_inputs)
        client = self.hook.client
        resolver = CustomFieldResolver(client, "lead")
        custom, status_id = _resolved(client, custom_inputs, status, resolver)
        payload = self._payload(custom, status_id)
        return payload, lead_match(match_on or "name", payload, resolver)

    def _create_once(
        self, context: Context, payload: Mapping[str, object], match: LeadMatch
    ) -> CloseObjectResult:
        from airflow_provider_close.idempotency.leads import existing_leads
        from airflow_provider_close.idempotency.matching import created_since

        since = created_since(context)

        def find_existing() -> JSONObject | None:
            leads = existing_leads(self.hook.client, match, created_since=since)
            return self.hook.get_lead(str(leads[0]["id"])) if leads else None

        return self.create_at_most_once(
            context,
            create=lambda: self.hook.create_lead(payload),
            find_existing=find_existing,
            source="search",  # leads are found only by search, which trails writes
            what="lead",
        )

    def execute(self, context: Context) -> CloseObjectResult:
        """Create (or skip/update) the lead; return ``{"id", "object", "action"}``."""
        from airflow_provider_close.client.payloads.enums import check_choice
        from airflow_provider_close.idempotency.leads import IF_EXISTS_CHOICES, existing_leads

        mode = check_choice("lead.if_exists", self.if_exists, IF_EXISTS_CHOICES)
        payload, match = self._checked_payload_and_match(mode)
        found = existing_leads(self.hook.client, match) if mode != "create" else []
        if found:
            result = self._act_on_existing(mode, found, payload)
        else:
            result = self._create_once(context, payload, match)
        push_lead_id(context, result["id"])
        return result


class CloseUpdateLeadOperator(CloseLeadOperator):
    """Update a lead's fields (only those given; nested contacts are not editable here).

    XCom: ``{"id", "object", "action": "updated"}`` with the lead as Close returned it.

    :param lead_id: the lead (``lead_…``) (templated).
    :param name: the new name (templated).
    :param description: the new description (templated).
    :param url: the new web site (templated).
    :param status: the new status, by ``stat_`` id or label (templated).
    :param addresses: the new list of addresses, replacing the old one (templated).
    :param custom_fields: ``{field name or cf_ id: value}``; ``None`` values unset (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = (
        "lead_id",
        "name",
        "description",
        "url",
        "status",
        "addresses",
        "custom_fields",
        "close_conn_id",
    )

    def __init__(
        self,
        *,
        lead_id: str,
        name: str | None = None,
        description: str | None = None,
        url: str | None = None,
        status: str | None = None,
        addresses: Sequence[Mapping[str, str]] | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.lead_id = lead_id
        self.name = name
        self.description = description
        self.url = url
        self.status = status
        self.addresses = addresses
        self.custom_fields = custom_fields

    def _payload(
        self, custom: Mapping[str, object], status_id: str | None, *, allow_empty: bool = False
    ) -> dict[str, object]:
        from airflow_provider_close.client.payloads.lead import build_lead_update

        return build_lead_update(
            name=self.name,
            description=self.description,
            url=self.url,
            status_id=status_id,
            addresses=self.addresses,
            custom=custom,
            allow_empty=allow_empty,
        )

    def execute(self, context: Context) -> CloseObjectResult:
        """Update the lead; return ``{"id", "object", "action": "updated"}``."""
        from airflow_provider_close.client.payloads.custom import custom_field_inputs
        from airflow_provider_close.client.payloads.ids import check_id
        from airflow_provider_close.client.payloads.text import optional_text

        lead_id = check_id("lead.lead_id", self.lead_id, "lead")
        custom_inputs = custom_field_inputs("lead", self.custom_fields)
        status = optional_text("lead.status", self.status)
        self._payload({}, None, allow_empty=bool(custom_inputs or status))  # before any request
        push_lead_id(context, lead_id)
        custom, status_id = _resolved(self.hook.client, custom_inputs, status)
        lead = self.hook.update_lead(lead_id, self._payload(custom, status_id))
        return object_result(lead, "updated")


class CloseGetLeadOperator(CloseGetObjectOperator):
    """Read one lead (``lead_…``); XCom gets ``{"id", "object", "action": "fetched"}``.

    ``None`` instead when the lead does not exist and ``missing_ok=True``.

    :param object_id: the lead id (templated).
    :param fields: only return these fields (templated).
    :param missing_ok: return ``None`` instead of failing when the lead does not exist.
    """

    object_kind = "lead"

    def read_object(self, object_id: str) -> JSONObject:
        """Return the lead. :param object_id: a checked ``lead_…`` id."""
        return self.hook.get_lead(object_id, fields=self.fields)

    def execute(self, context: Context) -> CloseObjectResult | None:
        """Read the lead and push its own id for the "View in Close" link."""
        result = super().execute(context)
        push_lead_id(context, None if result is None else result["id"])
        return result
