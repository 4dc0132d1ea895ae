"""Texts and mutually exclusive options in Close payloads."""

from __future__ import annotations

from airflow_provider_close.client.errors import ClosePayloadError

__all__ = ["exclusive_pair", "note_or_html", "optional_text", "required_text"]

NON_EMPTY: str = "a non-empty string"


def required_text(field: str, value: object) -> str:
    """Return ``value`` if it is a string with non-blank content, else raise ``ClosePayloadError``.

    The text is returned as given (not stripped): whitespace may be meaningful in notes.

    :param field: the field name used in the error, e.g. ``"task.text"``.
    :param value: the candidate.
    """
    if not isinstance(value, str) or not value.strip():
        raise ClosePayloadError(field, value, NON_EMPTY)
    return value


def optional_text(field: str, value: object) -> str | None:
    """Return ``None`` for ``None``, else :func:`required_text` (an empty string is an error).

    :param field: the field name used in the error.
    :param value: the candidate or ``None``.
    """
    return None if value is None else required_text(field, value)


def exclusive_pair(
    obj: str, first: tuple[str, object], second: tuple[str, object], *, required: bool
) -> tuple[str, object] | None:
    """Return the one option given out of two exclusive ones, ``None`` if neither, or raise.

    :param obj: the object name used in the error, e.g. ``"call"``.
    :param first: ``(name, value)`` of the first option; ``None`` means not given.
    :param second: ``(name, value)`` of the second option.
    :param required: raise when neither option is given.
    """
    given = [option for option in (first, second) if option[1] is not None]
    names = f"{first[0]} or {second[0]}"
    if len(given) == 2:
        raise ClosePayloadError(f"{obj}.{second[0]}", second[1], f"either {names}, not both")
    if not given and required:
        raise ClosePayloadError(f"{obj}.{first[0]}", None, f"exactly one of {names}")
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
