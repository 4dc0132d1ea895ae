"""Texts and mutually exclusive options in Close payloads.

Every text is refused with a NUL character; single-line texts (names, titles, subjects,
labels, address parts) also with CR or LF. Maximum lengths, in characters (Close documents
one only for SMS; where it is silent the limit is chosen far above real use and far below
what would bloat a request):

===================  =========  ==========================================================
SMS text             1 000      Close's help centre: "The character limit on SMS is 1000"
single-line texts    998        the longest line RFC 5322 allows in a mail header, where
                                names and subjects end up
URLs                 2 000      close-api.md §0: keep URLs under ~2000 characters
multi-line texts     100 000    notes, descriptions, task text (~40 pages of prose)
email bodies         1 000 000  HTML mail with inline styles runs to hundreds of KB
===================  =========  ==========================================================
"""

from __future__ import annotations

from typing import Final

from airflow_provider_close.client.errors import ClosePayloadError

__all__ = [
    "EMAIL_BODY_MAX",
    "MULTI_LINE_MAX",
    "SINGLE_LINE_MAX",
    "SMS_TEXT_MAX",
    "URL_MAX",
    "checked_content",
    "exclusive_pair",
    "note_or_html",
    "optional_text",
    "required_line",
    "required_text",
]

NON_EMPTY: str = "a non-empty string"
SMS_TEXT_MAX: Final = 1_000
SINGLE_LINE_MAX: Final = 998
URL_MAX: Final = 2_000
MULTI_LINE_MAX: Final = 100_000
EMAIL_BODY_MAX: Final = 1_000_000
_PREVIEW_CHARS: Final = 40


def checked_content(
    field: str, value: str, *, single_line: bool = False, max_length: int = MULTI_LINE_MAX
) -> str:
    """Return ``value`` if it has no NUL (nor CR/LF when single-line) and fits, else raise.

    :param field: the field name used in the error.
    :param value: the text.
    :param single_line: refuse CR and LF too.
    :param max_length: the most characters allowed.
    """
    if "\x00" in value:
        raise ClosePayloadError(field, value, "text without NUL characters")
    if single_line and ("\r" in value or "\n" in value):
        raise ClosePayloadError(field, value, "a single line of text (no CR or LF)")
    if len(value) > max_length:
        preview = f"{value[:_PREVIEW_CHARS]}… ({len(value)} characters)"
        raise ClosePayloadError(field, preview, f"at most {max_length} characters")
    return value


def required_text(field: str, value: object, *, max_length: int = MULTI_LINE_MAX) -> str:
    """Return ``value`` if it is a string with non-blank content, else raise ``ClosePayloadError``.

    The text is returned as given (not stripped): whitespace may be meaningful in notes.
    Multi-line; see :func:`checked_content` for NUL and the length.

    :param field: the field name used in the error, e.g. ``"task.text"``.
    :param value: the candidate.
    :param max_length: the most characters allowed.
    """
    if not isinstance(value, str) or not value.strip():
        raise ClosePayloadError(field, value, NON_EMPTY)
    return checked_content(field, value, max_length=max_length)


def optional_text(field: str, value: object, *, max_length: int = MULTI_LINE_MAX) -> str | None:
    """Return ``None`` for ``None``, else :func:`required_text` (an empty string is an error).

    :param field: the field name used in the error.
    :param value: the candidate or ``None``.
    :param max_length: the most characters allowed.
    """
    return None if value is None else required_text(field, value, max_length=max_length)


def required_line(field: str, value: object) -> str:
    """Return ``value`` if it is a non-blank single line (no CR/LF/NUL, at most 998 chars).

    :param field: the field name used in the error, e.g. ``"lead.name"``.
    :param value: the candidate.
    """
    text = required_text(field, value, max_length=SINGLE_LINE_MAX)
    return checked_content(field, text, single_line=True, max_length=SINGLE_LINE_MAX)


def exclusive_pair(
    obj: str, first: tuple[str, object], second: tuple[str, object], *, required: bool
) -> tuple[str, object] | None:
    """Return the one option given out of two exclusive ones, ``None`` if neither, or raise.

    :param obj: the object name used in the error, e.g. ``"call"`` (``""`` in a model
        validator: the adapter adds it).
    :param first: ``(name, value)`` of the first option; ``None`` means not given.
    :param second: ``(name, value)`` of the second option.
    :param required: raise when neither option is given.
    """
    given = [option for option in (first, second) if option[1] is not None]
    names = f"{first[0]} or {second[0]}"
    where = f"{obj}." if obj else ""
    if len(given) == 2:
        raise ClosePayloadError(f"{where}{second[0]}", second[1], f"either {names}, not both")
    if not given and required:
        raise ClosePayloadError(f"{where}{first[0]}", None, f"exactly one of {names}")
    return given[0] if given else None


def note_or_html(obj: str, note: object, note_html: object, *, required: bool) -> dict[str, str]:
    """Return ``{"note": ...}`` or ``{"note_html": ...}`` (or ``{}``); never both.

    Close requires ``note_html`` wrapped in ``<body>…</body>``; an unwrapped fragment is
    wrapped here.

    :param obj: the object name used in errors, e.g. ``"call"``.
    :param note: plain text.
    :param note_html: HTML.
    :param required: raise when neither is given.
    """
    chosen = exclusive_pair(obj, ("note", note), ("note_html", note_html), required=required)
    if chosen is None:
        return {}
    name, value = chosen
    text = required_text(f"{obj}.{name}", value)
    if name == "note_html" and not text.strip().lower().startswith("<body"):
        text = f"<body>{text}</body>"
    return {name: text}
