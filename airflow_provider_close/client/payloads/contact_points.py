"""Phone numbers, email addresses and URLs, alone or as a contact's typed lists."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final, TypedDict

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.scalars import check_url
from airflow_provider_close.client.payloads.text import required_line

__all__ = [
    "EMAIL_ALLOWED",
    "PHONE_ALLOWED",
    "EmailEntry",
    "PhoneEntry",
    "UrlEntry",
    "check_email_address",
    "e164_phone",
    "email_entries",
    "phone_entries",
    "url_entries",
]

PHONE_ALLOWED: Final = "an E.164 phone number, e.g. '+14155550123'"
EMAIL_ALLOWED: Final = "an email address of at most 254 characters, e.g. 'ada@example.com'"
DEFAULT_TYPE: Final = "office"
_E164 = re.compile(r"\+[1-9]\d{6,14}")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
#: RFC 5321: a path holds at most 254 characters of address.
_EMAIL_MAX: Final = 254
_LINE_BREAKS_AND_NUL: Final = "\r\n\x00"
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+")


class EmailEntry(TypedDict):
    """One email address of a contact."""

    email: str
    type: str


class PhoneEntry(TypedDict):
    """One phone number of a contact."""

    phone: str
    type: str


class UrlEntry(TypedDict):
    """One URL of a contact."""

    url: str
    type: str


def e164_phone(field: str, value: object) -> str:
    """Return ``value`` as E.164 (``+14155550123``) or raise ``ClosePayloadError``.

    Spaces, dots, dashes and parentheses are removed first (``+1 (415) 555-0123`` is fine).

    :param field: the field name used in the error, e.g. ``"call.phone"``.
    :param value: the candidate phone number.
    """
    compact: str | None = None
    if isinstance(value, str) and not any(ch in value for ch in _LINE_BREAKS_AND_NUL):
        compact = _PHONE_SEPARATORS.sub("", value)
    if compact is None or not _E164.fullmatch(compact):
        raise ClosePayloadError(field, value, PHONE_ALLOWED)
    return compact


def check_email_address(field: str, value: object) -> str:
    """Return ``value`` (stripped) if it looks like a bare email address, else raise.

    :param field: the field name used in the error, e.g. ``"contact.emails[0]"``.
    :param value: the candidate address.
    """
    if (
        not isinstance(value, str)
        or any(ch in value for ch in _LINE_BREAKS_AND_NUL)
        or len(value.strip()) > _EMAIL_MAX
        or not _EMAIL.fullmatch(value.strip())
    ):
        raise ClosePayloadError(field, value, EMAIL_ALLOWED)
    return value.strip()


def _typed_entries(field: str, values: object, key: str) -> list[tuple[str, object, str]]:
    """Return ``(field_path, raw_value, type)`` per entry of a list of strings or dicts."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise ClosePayloadError(
            field, values, f"a list of strings or of {{'{key}': ..., 'type': ...}}"
        )
    entries = []
    for index, item in enumerate(values):
        path = f"{field}[{index}]"
        if isinstance(item, Mapping):
            extra = set(item) - {key, "type"}
            if extra:
                raise ClosePayloadError(path, item, f"keys '{key}' and 'type' only")
            kind = required_line(f"{path}.type", item.get("type", DEFAULT_TYPE))
            entries.append((f"{path}.{key}", item.get(key), kind))
        else:
            entries.append((path, item, DEFAULT_TYPE))
    return entries


def email_entries(field: str, values: object) -> list[EmailEntry]:
    """Return a contact's ``emails`` list from strings or ``{"email", "type"}`` dicts.

    :param field: the field name used in errors, e.g. ``"lead.contacts[0].emails"``.
    :param values: a list of addresses or of dicts; the type defaults to ``office``.
    """
    return [
        EmailEntry(email=check_email_address(path, raw), type=kind)
        for path, raw, kind in _typed_entries(field, values, "email")
    ]


def phone_entries(field: str, values: object) -> list[PhoneEntry]:
    """Return a contact's ``phones`` list from strings or ``{"phone", "type"}`` dicts.

    :param field: the field name used in errors.
    :param values: a list of phone numbers or of dicts; the type defaults to ``office``.
    """
    return [
        PhoneEntry(phone=e164_phone(path, raw), type=kind)
        for path, raw, kind in _typed_entries(field, values, "phone")
    ]


def url_entries(field: str, values: object) -> list[UrlEntry]:
    """Return a contact's ``urls`` list from strings or ``{"url", "type"}`` dicts.

    :param field: the field name used in errors.
    :param values: a list of URLs or of dicts; the type defaults to ``office``.
    """
    return [
        UrlEntry(url=check_url(path, raw), type=kind)
        for path, raw, kind in _typed_entries(field, values, "url")
    ]
