"""Close's two note representations: plain ``note`` and ``note_html`` (``<body>…</body>``)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["html_from_text", "note_fields", "text_from_html"]

_BREAKS = re.compile(r"<br\s*/?>|</p>\s*<p>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def html_from_text(text: str) -> str:
    """Return the ``note_html`` Close derives from a plain note (escaped, newlines as ``<br />``).

    :param text: the plain note.
    """
    if not text:
        return ""
    return "<body><p>" + html.escape(text).replace("\n", "<br />") + "</p></body>"


def text_from_html(markup: str) -> str:
    """Return the plain ``note`` Close derives from ``note_html``.

    :param markup: the HTML note.
    """
    with_breaks = _BREAKS.sub("\n", markup)
    return html.unescape(_TAGS.sub("", with_breaks)).strip()


def _wrapped(markup: str) -> str:
    stripped = markup.strip()
    if not stripped or stripped.lower().startswith("<body"):
        return stripped
    return f"<body>{stripped}</body>"


def note_fields(
    payload: Mapping[str, Any], text_key: str = "note", html_key: str = "note_html"
) -> dict[str, str] | None:
    """Return both note fields set from whichever the payload sent (HTML wins), or None.

    :param payload: the request body.
    :param text_key: the plain field name (``note``, ``user_note``).
    :param html_key: the HTML field name (``note_html``, ``user_note_html``).
    """
    if payload.get(html_key) is not None:
        markup = _wrapped(str(payload[html_key]))
        return {text_key: text_from_html(markup), html_key: markup}
    if text_key in payload:
        text = str(payload[text_key] or "")
        return {text_key: text, html_key: html_from_text(text)}
    return None
