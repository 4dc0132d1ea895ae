"""The legacy ``GET /lead/?query=`` search, in the simple forms the sandbox understands.

Supported terms (space-separated, all must match, case-insensitive):

* ``name:"Acme Inc"`` / ``name:acme`` - the lead name contains the text;
* ``email:"a@b.com"`` - a contact of the lead has exactly this email;
* ``phone:"+14155550123"`` - a contact of the lead has this phone (E.164 compare);
* ``id:lead_…`` - the lead id;
* ``"custom.cf_…":"value"`` / ``custom.cf_…:value`` - the custom value equals (or, for
  multi-value fields, contains) the value;
* plain words or ``"quoted phrases"`` - found in the lead's name, description, or a
  contact's name, title, email or phone;
* ``date_created >= "2024-01-01T10:00:00.000000+00:00"`` (also ``>``, ``<``, ``<=``, and
  ``date_updated``) - a date or datetime comparison (close-api.md §6.1 shows
  ``date_updated >= 2024-01-01``);
* parentheses group terms (the sandbox knows only "and", so a group is its terms).

``sort:date_created`` / ``sort:-date_created`` (or ``date_updated``) order the results by that
field, ties in creation order; other ``sort:…`` terms are ignored; any other ``keyword:``
raises a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.models.phones import normalize_phone
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.timestamps import format_timestamp, parse_moment

__all__ = ["QueryTerm", "lead_matcher", "lead_query_order", "parse_lead_query"]

_TOKEN = re.compile(r'(?:(?P<key>"[^"]*"|[\w.]+):(?P<value>"[^"]*"|\S+))|(?P<text>"[^"]*"|\S+)')
_KEYWORDS = ("name", "email", "phone", "id")
_DATE_FIELDS = ("date_created", "date_updated")
_COMPARISON = re.compile(
    r'\b(?P<field>date_created|date_updated)\s*(?P<op>>=|<=|>|<)\s*(?P<value>"[^"]*"|[^\s()]+)'
)
_COMPARE: Mapping[str, Callable[[str, str], bool]] = {
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
}
_PARENS = re.compile(r'("[^"]*")|[()]')


@dataclass(frozen=True)
class QueryTerm:
    """One term of a query.

    :param keyword: ``name``, ``email``, ``phone``, ``id``, ``custom.cf_…`` or None (text).
    :param value: the value, unquoted.
    """

    keyword: str | None
    value: str
    op: str | None = None


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text.startswith('"') and text.endswith('"') else text


def parse_lead_query(query: str) -> list[QueryTerm]:
    """Return the terms of a legacy query string.

    :param query: e.g. ``name:"Acme" email:"a@b.com" rockets``.
    :raises BadRequest: a keyword the sandbox does not support.
    """
    terms: list[QueryTerm] = []
    for compared in _COMPARISON.finditer(query):
        moment = parse_moment(_unquote(compared["value"]))
        if moment is None:
            raise BadRequest(f"Invalid date in the query: {compared['value']}.")
        terms.append(QueryTerm(compared["field"], format_timestamp(moment), compared["op"]))
    rest = _PARENS.sub(lambda m: m.group(1) or " ", _COMPARISON.sub(" ", query))
    for match in _TOKEN.finditer(rest):
        if match["text"] is not None:
            terms.append(QueryTerm(None, _unquote(match["text"])))
            continue
        keyword = _unquote(match["key"])
        if not keyword.startswith("custom."):
            keyword = keyword.lower()
        if keyword == "sort":
            continue
        if keyword not in _KEYWORDS and not keyword.startswith("custom."):
            raise BadRequest(f"Unsupported search keyword in the sandbox: {keyword}.")
        terms.append(QueryTerm(keyword, _unquote(match["value"])))
    return terms


def lead_query_order(query: str) -> tuple[str, bool] | None:
    """Return the ``(field, descending)`` a query's ``sort:`` term orders by, or None.

    :param query: the legacy query string.
    """
    order = None
    for match in _TOKEN.finditer(_COMPARISON.sub(" ", query)):
        if match["key"] is not None and _unquote(match["key"]).lower() == "sort":
            value = _unquote(match["value"])
            name = value.lstrip("-")
            if name in _DATE_FIELDS:
                order = (name, value.startswith("-"))
    return order


def _texts(lead: Mapping[str, Any], contacts: Iterable[Mapping[str, Any]]) -> list[str]:
    texts = [str(lead.get("name") or ""), str(lead.get("description") or "")]
    for contact in contacts:
        texts += [str(contact.get("name") or ""), str(contact.get("title") or "")]
        texts += [item["email"] for item in contact.get("emails", [])]
        texts += [item["phone"] for item in contact.get("phones", [])]
    return [text.lower() for text in texts]


def _custom_matches(value: Any, wanted: str) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(str(item).lower() == wanted.lower() for item in values if item is not None)


def _phone_matches(contacts: Iterable[Mapping[str, Any]], wanted: str) -> bool:
    normalized = normalize_phone(wanted)
    target = normalized.e164 if normalized else wanted
    return any(item["phone"] == target for c in contacts for item in c.get("phones", []))


def _term_matches(term: QueryTerm, lead: Record, contacts: list[Record]) -> bool:
    wanted = term.value.lower()
    if term.op is not None:
        stored = lead.get(str(term.keyword))
        return isinstance(stored, str) and _COMPARE[term.op](stored, term.value)
    if term.keyword is None:
        return any(wanted in text for text in _texts(lead, contacts))
    if term.keyword == "name":
        return wanted in str(lead.get("name") or "").lower()
    if term.keyword == "email":
        return any(
            item["email"].lower() == wanted for c in contacts for item in c.get("emails", [])
        )
    if term.keyword == "phone":
        return _phone_matches(contacts, term.value)
    if term.keyword == "id":
        return bool(lead["id"] == term.value)
    return _custom_matches(lead.get(term.keyword), term.value)


def lead_matcher(
    terms: list[QueryTerm], contacts_of: Callable[[str], list[Record]]
) -> Callable[[Record], bool]:
    """Return a predicate telling whether a lead matches every term.

    :param terms: the parsed query.
    :param contacts_of: lead id -> its contacts.
    """

    def matches(lead: Record) -> bool:
        contacts = contacts_of(lead["id"])
        return all(_term_matches(term, lead, contacts) for term in terms)

    return matches
