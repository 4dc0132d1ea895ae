"""The declarative row-to-lead mapping: parsing, up-front validation, and applying it to a row.

A mapping says which row column feeds which lead field::

    {
        "name": "company",                 # lead fields: name, description, url,
        "url": "website",                  #   status (a label) or status_id
        "status": "status_label",
        "contacts": [                      # nested contacts; each a dict of
            {"name": "contact_name",       #   name, title (one column each) and
             "emails": ["email"],          #   emails, phones, urls (lists of columns)
             "phones": ["phone"]},
        ],
        "custom": {"External ID": "account_id", "Lead Score": "score"},  # name or cf_ id
    }

Values are column names; an empty cell (``None`` or ``""``) is left out, never sent as a clear.
The mapping is validated as two pydantic models (a lead's columns, a contact's) through
``client/validation.py``; this module is imported when a task runs, not at DAG parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, model_validator

from airflow_provider_close.client.validation import (
    allowed_note,
    bad_input,
    checked_by,
    validated_fields,
)

__all__ = [
    "CONTACT_LIST_FIELDS",
    "CONTACT_TEXT_FIELDS",
    "LEAD_FIELDS",
    "ContactMapping",
    "DesiredLead",
    "LeadMapping",
    "MappingError",
    "contact_mapping",
    "custom_mapping",
    "desired_lead",
    "is_blank",
    "parse_mapping",
    "row_contact",
    "row_custom",
    "row_fields",
]

#: Lead fields a mapping may set (``status`` is a label, ``status_id`` a ``stat_`` id).
LEAD_FIELDS: Final = ("name", "description", "url", "status", "status_id")
CONTACT_TEXT_FIELDS: Final = ("name", "title")
CONTACT_LIST_FIELDS: Final = ("emails", "phones", "urls")
_SECTIONS: Final = ("contacts", "custom")
_CUSTOM_ALLOWED: Final = "be a dict of custom field name -> column"


class MappingError(ValueError):
    """The mapping itself is wrong (raised before any row is read or request sent)."""


@dataclass(frozen=True)
class ContactMapping:
    """Columns feeding one nested contact.

    :param text: contact field (``name``, ``title``) -> column.
    :param lists: contact list field (``emails``, ``phones``, ``urls``) -> columns.
    """

    text: Mapping[str, str] = field(default_factory=dict)
    lists: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class LeadMapping:
    """A validated mapping.

    :param fields: lead field -> column.
    :param contacts: one entry per nested contact.
    :param custom: custom field display name (or ``cf_`` id) -> column.
    """

    fields: Mapping[str, str]
    contacts: tuple[ContactMapping, ...] = ()
    custom: Mapping[str, str] = field(default_factory=dict)


@dataclass
class DesiredLead:
    """What one row says the lead should look like (blank cells left out).

    :param fields: lead fields (``status`` holds a label).
    :param custom: ``custom.cf_...`` key -> value.
    :param contacts: nested contacts as dicts of ``name, title, emails, phones, urls``.
    """

    fields: dict[str, Any]
    custom: dict[str, Any]
    contacts: list[dict[str, Any]]


def is_blank(value: object) -> bool:
    """Return whether a cell counts as empty (``None`` or a blank string)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _mapping_error(field: str, value: object, allowed: str) -> Exception:
    return MappingError(f"{field} must {allowed}, got {value!r}")


def _column(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _columns(value: object) -> tuple[str, ...] | None:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items or not all(map(_column, items)):
        return None
    return tuple(items)


_COLUMN: Final = checked_by(_column, "name a column (a non-empty string)")
_Column = Annotated[str | None, _COLUMN]  # None only as the default: None given is refused
_Columns = Annotated[
    tuple[str, ...] | None, checked_by(_columns, "be a column or a non-empty list of columns")
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ContactColumns(_Strict):
    """One nested contact's columns, as the mapping gives them."""

    name: _Column = None
    title: _Column = None
    emails: _Columns = None
    phones: _Columns = None
    urls: _Columns = None

    @model_validator(mode="before")
    @classmethod
    def _given(cls, raw: object) -> object:
        """Refuse, before the fields are read, a contact that is empty or names unknown fields."""
        if not isinstance(raw, Mapping) or not raw:
            raise bad_input("be a non-empty dict")
        allowed = (*CONTACT_TEXT_FIELDS, *CONTACT_LIST_FIELDS)
        if unknown := sorted(set(raw) - set(allowed)):
            fields = f"unknown contact field(s) {unknown}; allowed: {', '.join(allowed)}"
            raise bad_input(f"name contact fields only ({fields})")
        return raw

    def columns(self) -> ContactMapping:
        """Return the contact's columns as the engine reads them."""
        given = self.model_dump(exclude_unset=True)
        text: dict[str, str] = {k: given[k] for k in CONTACT_TEXT_FIELDS if k in given}
        return ContactMapping(text, {k: given[k] for k in CONTACT_LIST_FIELDS if k in given})


class _LeadColumns(_Strict):
    """A lead mapping's columns, as the operator is given them."""

    name: _Column = None
    description: _Column = None
    url: _Column = None
    status: _Column = None
    status_id: _Column = None
    contacts: Annotated[list[_ContactColumns], allowed_note("be a list of contact mappings")] = []
    custom: Annotated[dict[str, Annotated[str, _COLUMN]], allowed_note(_CUSTOM_ALLOWED)] = {}


def contact_mapping(where: str, raw: object) -> ContactMapping:
    """Return the checked columns of one contact, or raise :class:`MappingError`.

    :param where: the mapping path named in errors, e.g. ``mapping.contacts[0]``.
    :param raw: contact field -> column (lists of columns for emails, phones, urls).
    """
    return validated_fields(_ContactColumns, raw, prefix=where, error=_mapping_error).columns()


def custom_mapping(raw: object) -> dict[str, str]:
    """Return custom field name (or ``cf_`` id) -> column, checked.

    :param raw: the mapping's ``custom`` section.
    """
    lead = validated_fields(_LeadColumns, {"custom": raw}, prefix="mapping", error=_mapping_error)
    return dict(lead.custom)


def parse_mapping(raw: Mapping[str, Any]) -> LeadMapping:
    """Return the validated mapping, or raise :class:`MappingError` naming the allowed fields.

    :param raw: the mapping as given to the operator.
    """
    if not isinstance(raw, Mapping) or not raw:
        raise MappingError("the mapping must be a non-empty dict")
    unknown = sorted(set(raw) - {*LEAD_FIELDS, *_SECTIONS})
    if unknown:
        allowed = ", ".join((*LEAD_FIELDS, *_SECTIONS))
        raise MappingError(f"unknown lead field(s) {unknown} in the mapping; allowed: {allowed}")
    if "status" in raw and "status_id" in raw:
        raise MappingError("map either status (a label) or status_id, not both")
    lead = validated_fields(_LeadColumns, raw, prefix="mapping", error=_mapping_error)
    given = lead.model_dump(include=set(LEAD_FIELDS), exclude_unset=True)
    return LeadMapping(
        fields={k: given[k] for k in LEAD_FIELDS if k in given},
        contacts=tuple(contact.columns() for contact in lead.contacts),
        custom=dict(lead.custom),
    )


def _cell(row: Mapping[str, Any], column: str) -> Any:
    if column not in row:
        raise KeyError(column)
    value = row[column]
    return value.strip() if isinstance(value, str) else value


def row_contact(mapping: ContactMapping, row: Mapping[str, Any]) -> dict[str, Any]:
    """Return the contact ``row`` describes (blank cells left out; ``KeyError``: no column).

    :param mapping: the contact's columns.
    :param row: one input row.
    """
    contact: dict[str, Any] = {}
    for name, column in mapping.text.items():
        if not is_blank(value := _cell(row, column)):
            contact[name] = value
    for name, columns in mapping.lists.items():
        values = [v for c in columns if not is_blank(v := _cell(row, c))]
        if values:
            contact[name] = values
    return contact


def desired_lead(
    mapping: LeadMapping, row: Mapping[str, Any], custom_keys: Mapping[str, str]
) -> DesiredLead:
    """Return what ``row`` says the lead should be; raises ``KeyError`` for a missing column.

    :param mapping: the validated mapping.
    :param row: one input row.
    :param custom_keys: custom field name (as in the mapping) -> ``custom.cf_...`` key.
    """
    fields = row_fields(mapping.fields, row)
    custom = row_custom(mapping.custom, row, custom_keys)
    contacts = [c for m in mapping.contacts if (c := row_contact(m, row))]
    return DesiredLead(fields=fields, custom=custom, contacts=contacts)


def row_fields(fields: Mapping[str, str], row: Mapping[str, Any]) -> dict[str, Any]:
    """Return field -> the row's non-blank value (``KeyError`` for a missing column).

    :param fields: field -> column.
    :param row: one input row.
    """
    return {f: v for f, c in fields.items() if not is_blank(v := _cell(row, c))}


def row_custom(
    custom: Mapping[str, str], row: Mapping[str, Any], custom_keys: Mapping[str, str]
) -> dict[str, Any]:
    """Return ``custom.cf_…`` key -> the row's non-blank value (``KeyError``: no column).

    :param custom: custom field name -> column.
    :param row: one input row.
    :param custom_keys: custom field name -> ``custom.cf_…`` key.
    """
    return {
        custom_keys[name]: v
        for name, column in custom.items()
        if not is_blank(v := _cell(row, column))
    }
