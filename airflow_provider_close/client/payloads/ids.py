"""Validation of Close object ids (``<prefix>_<base62 suffix>``, close-api.md §2).

Chosen rule: the prefix must match the expected object type, the suffix must be base62
(``0-9A-Za-z``) and exactly as long as Close's ids of that type: 43 characters for the
older types (lead, contact, every activity, task, opportunity, user, status, custom
field, organization, email template) and 22 for the newer ones (pipeline, SMS template).
Every activity id, calls included, is ``acti_``; no ``call_``/``note_``/``sms_`` exists.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from airflow_provider_close.client.errors import ClosePayloadError

__all__ = [
    "ID_PREFIXES",
    "IdKind",
    "check_id",
    "id_pattern_text",
    "looks_like_id",
]

IdKind = Literal[
    "lead",
    "contact",
    "activity",
    "task",
    "opportunity",
    "user",
    "status",
    "custom_field",
    "organization",
    "pipeline",
    "email_template",
    "sms_template",
]

#: Object kind -> (id prefix including the underscore, suffix length).
ID_PREFIXES: Final[dict[IdKind, tuple[str, int]]] = {
    "lead": ("lead_", 43),
    "contact": ("cont_", 43),
    "activity": ("acti_", 43),
    "task": ("task_", 43),
    "opportunity": ("oppo_", 43),
    "user": ("user_", 43),
    "status": ("stat_", 43),
    "custom_field": ("cf_", 43),
    "organization": ("orga_", 43),
    "pipeline": ("pipe_", 22),
    "email_template": ("tmpl_", 43),
    "sms_template": ("smstmpl_", 22),
}

_PATTERNS: Final[dict[IdKind, re.Pattern[str]]] = {
    kind: re.compile(rf"{re.escape(prefix)}[0-9A-Za-z]{{{length}}}")
    for kind, (prefix, length) in ID_PREFIXES.items()
}


def id_pattern_text(kind: IdKind) -> str:
    """Return the human description of a valid id of ``kind``, e.g. ``'lead_' + 43 base62 chars``.

    :param kind: the object kind.
    """
    prefix, length = ID_PREFIXES[kind]
    return f"'{prefix}' + {length} base62 characters"


def looks_like_id(kind: IdKind, value: object) -> bool:
    """Return whether ``value`` is a well-formed id of ``kind``.

    :param kind: the object kind.
    :param value: the candidate.
    """
    return isinstance(value, str) and _PATTERNS[kind].fullmatch(value) is not None


def check_id(field: str, value: object, kind: IdKind) -> str:
    """Return ``value`` if it is a well-formed id of ``kind``, else raise ``ClosePayloadError``.

    Surrounding whitespace (a common templating accident) is stripped first.

    :param field: the field name used in the error, e.g. ``"call.lead_id"``.
    :param value: the candidate id.
    :param kind: the expected object kind.
    """
    if isinstance(value, str) and looks_like_id(kind, value.strip()):
        return value.strip()
    raise ClosePayloadError(field, value, id_pattern_text(kind))
