"""Integers, booleans and URLs in Close payloads, checked before any request."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.text import URL_MAX

__all__ = [
    "bounded_int",
    "check_bool",
    "check_url",
]

_DIGITS = re.compile(r"[+-]?\d+")
_TRUE_TEXTS = frozenset({"true", "1", "yes"})
_FALSE_TEXTS = frozenset({"false", "0", "no"})


def bounded_int(field: str, value: object, *, minimum: int, maximum: int | None = None) -> int:
    """Return ``value`` as an int within ``[minimum, maximum]``, or raise ``ClosePayloadError``.

    Accepts ints and strings of digits (rendered templates); rejects bools and floats.

    :param field: the field name used in the error, e.g. ``"call.duration"``.
    :param value: the candidate.
    :param minimum: the smallest allowed value.
    :param maximum: the largest allowed value, or ``None`` for no upper bound.
    """
    upper = "" if maximum is None else f" to {maximum}"
    allowed = f"an integer from {minimum}{upper}"
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    if number is None or number < minimum or (maximum is not None and number > maximum):
        raise ClosePayloadError(field, value, allowed)
    return number


def check_bool(field: str, value: object) -> bool:
    """Return ``value`` as a bool, or raise ``ClosePayloadError``.

    Accepts bools and the strings ``true``/``false`` (any case, also ``1/0``, ``yes/no``).

    :param field: the field name used in the error, e.g. ``"task.is_complete"``.
    :param value: the candidate.
    """
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else None
    if text in _TRUE_TEXTS:
        return True
    if text in _FALSE_TEXTS:
        return False
    raise ClosePayloadError(field, value, "True or False")


def check_url(field: str, value: object, *, https_only: bool = False) -> str:
    """Return ``value`` if it is an absolute http(s) URL with a host, else raise.

    :param field: the field name used in the error, e.g. ``"call.recording_url"``.
    :param value: the candidate URL.
    :param https_only: accept only ``https://`` URLs (Close's rule for recordings).
    """
    schemes = ("https",) if https_only else ("http", "https")
    allowed = "an https:// URL" if https_only else "an http:// or https:// URL"
    allowed += f" of at most {URL_MAX} characters"
    if (
        not isinstance(value, str)
        or any(ch.isspace() or ch == "\x00" for ch in value.strip())
        or len(value.strip()) > URL_MAX
    ):
        raise ClosePayloadError(field, value, allowed)
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in schemes or not parts.hostname:
        raise ClosePayloadError(field, value, allowed)
    return value.strip()
