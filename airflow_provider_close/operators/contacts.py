"""Operators for contacts: create and update.

XCom: ``{"id", "object", "action"}`` (see ``_base.CloseObjectResult``); the contact's lead id
is pushed for the "View in Close" link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import Context

from airflow_provider_close.operators._base import (
    CloseCreateOperator,
    CloseLeadOperator,
    CloseObjectResult,
    object_result,
    push_lead_id,
)

__all__ = ["CloseCreateContactOperator", "CloseUpdateContactOperator"]

ContactPoints = Sequence[str | Mapping[str, str]]


class _ContactFieldsOperator(CloseLeadOperator):
    """Holds the contact fields shared by create and update."""

    def __init__(
        self,
        *,
        name: str | None = None,
        title: str | None = None,
        emails: ContactPoints | None = None,
        phones: ContactPoints | None = None,
        urls: ContactPoints | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.name = name
        self.title = title
        self.emails = emails
        self.phones = phones
        self.urls = urls
        self.custom_fields = custom_fields

    def resolved_custom(self, custom_inputs: Mapping[str, object]) -> dict[str, object]:
        """Return the custom inputs keyed ``custom.cf_…`` (one GET, only if any were given)."""
        from airflow_provider_close.lookups.custom_fields import CustomFieldResolver

        if not custom_inputs:
            return {}
        return CustomFieldResolver(self.hook.client, "contact").resolve_mapping(custom_inputs)


_CONTACT_TEMPLATE_FIELDS = ("name", "title", "emails", "phones", "urls", "custom_fields")


class CloseCreateContactOperator(_ContactFieldsOperator, CloseCreateOperator):
    """Create a contact on a lead, at most once under retries.

    XCom: ``{"id", "object", "action"}`` (``created`` or ``found_existing``).

    :param lead_id: the lead (``lead_…``); required (templated).
    :param name: the contact's name (templated).
    :param title: the job title (templated).
    :param emails: addresses, as strings or ``{"email", "type"}`` dicts (templated).
    :param phones: E.164 numbers, as strings or ``{"phone", "type"}`` dicts (templated).
    :param urls: URLs, as strings or ``{"url", "type"}`` dicts (templated).
    :param custom_fields: ``{field name or cf_ id: value}`` (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("lead_id", *_CONTACT_TEMPLATE_FIELDS, "close_conn_id")

    def __init__(self, *, lead_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lead_id = lead_id

    def _payload(self, custom: Mapping[str, object]) -> dict[str, object]:
        from airflow_provider_close.client.payloads.contact import build_contact_payload

        return build_contact_payload(
            lead_id=self.lead_id,
            name=self.name,
            title=self.title,
            emails=self.emails,
            phones=self.phones,
            urls=self.urls,
            custom=custom,
        )

    def execute(self, context: Context) -> CloseObjectResult:
        """Create the contact unless an earlier try did; return ``{"id", "object", "action"}``."""
        from airflow_provider_close.client.payloads.custom import custom_field_inputs
        from airflow_provider_close.idempotency.matching import created_since, find_recent_object

        custom_inputs = custom_field_inputs("contact", self.custom_fields)
        checked = self._payload({})  # before any request
        lead_id = str(checked["lead_id"])
        push_lead_id(context, lead_id)
        payload = self._payload(self.resolved_custom(custom_inputs))
        since = created_since(context)
        return self.create_at_most_once(
            context,
            create=lambda: self.hook.create_contact(payload),
            find_existing=lambda: find_recent_object(
                self.hook.client, "contact/", {"lead_id": lead_id}, payload, since
            ),
            source="immediate",  # the lead's contact list
            what="contact",
        )


class CloseUpdateContactOperator(_ContactFieldsOperator):
    """Update a contact's fields (only those given; lists replace the contact's lists).

    XCom: ``{"id", "object", "action": "updated"}``.

    :param contact_id: the contact (``cont_…``) (templated).
    :param name: the new name (templated).
    :param title: the new title (templated).
    :param emails: the new list of addresses (templated).
    :param phones: the new list of phone numbers (templated).
    :param urls: the new list of URLs (templated).
    :param custom_fields: ``{field name or cf_ id: value}``; ``None`` unsets (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("contact_id", *_CONTACT_TEMPLATE_FIELDS, "close_conn_id")

    def __init__(self, *, contact_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.contact_id = contact_id

    def _payload(self, custom: Mapping[str, object], *, allow_empty: bool) -> dict[str, object]:
        from airflow_provider_close.client.payloads.contact import build_contact_update

        return build_contact_update(
            name=self.name,
            title=self.title,
            emails=self.emails,
            phones=self.phones,
            urls=self.urls,
            custom=custom,
            allow_empty=allow_empty,
        )

    def execute(self, context: Context) -> CloseObjectResult:
        """Update the contact; return ``{"id", "object", "action": "updated"}``."""
        from airflow_provider_close.client.payloads.custom import custom_field_inputs
        from airflow_provider_close.client.payloads.ids import check_id

        contact_id = check_id("contact.contact_id", self.contact_id, "contact")
        custom_inputs = custom_field_inputs("contact", self.custom_fields)
        self._payload({}, allow_empty=bool(custom_inputs))  # before any request
        payload = self._payload(self.resolved_custom(custom_inputs), allow_empty=False)
        contact = self.hook.update_contact(contact_id, payload)
        push_lead_id(context, contact.get("lead_id"))
        return object_result(contact, "updated")
