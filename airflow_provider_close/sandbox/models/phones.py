"""Phone number normalisation to E.164, the way Close stores contact phones."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NormalizedPhone", "normalize_phone"]

_SEPARATORS = re.compile(r"[\s().\-]")


@dataclass(frozen=True)
class NormalizedPhone:
    """A parsed phone number.

    :param e164: e.g. ``+16505176539``.
    :param formatted: e.g. ``+1 650-517-6539``.
    :param country: ISO country code when known (``US`` for +1), else None.
    """

    e164: str
    formatted: str
    country: str | None


def normalize_phone(raw: str) -> NormalizedPhone | None:
    """Return the normalised number, or None if it is not a plausible phone number.

    ``+`` numbers need 8-15 digits; bare 10-digit numbers (or 11 starting with 1) are taken
    as North American.

    :param raw: the number as sent.
    """
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("+"):
        digits = text[1:]
    elif len(text) == 10 or (len(text) == 11 and text.startswith("1")):
        digits = text if len(text) == 11 else "1" + text
    else:
        return None
    if not digits.isdigit() or not 8 <= len(digits) <= 15:
        return None
    if digits.startswith("1") and len(digits) == 11:
        rest = digits[1:]
        return NormalizedPhone(f"+{digits}", f"+1 {rest[:3]}-{rest[3:6]}-{rest[6:]}", "US")
    return NormalizedPhone(f"+{digits}", f"+{digits}", None)
