"""Removing the live credentials from every text and object built from a request or response.

Proxies, WAF pages and debug servers echo request headers into error bodies; the key then
arrives back in its ``Authorization`` form (``Basic base64("key:")``), which Airflow's secret
masker does not know. :class:`Redactor` replaces every form of the secrets it was given: the
key or token itself, the Basic encodings (with and without padding, with and without the
colon), the full header value and their URL-quoted spellings. The secrets come from the
client's auth object at the time of use (:meth:`CloseAuth.secret_forms`), so a refreshed
token is covered as well as the first one.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote

import httpx

__all__ = [
    "REDACTED",
    "Redactor",
    "basic_forms",
    "bearer_forms",
    "scrub_request",
    "secret_forms_of_header",
]

REDACTED: Final = "[redacted]"
#: Shorter texts are not redacted: replacing 1-3 characters everywhere would garble messages.
_MIN_SECRET_CHARS: Final = 4


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode("ascii")


def basic_forms(api_key: str) -> list[str]:
    """Return the API key and every encoding of it an echoed ``Authorization`` may show.

    :param api_key: the Close API key.
    """
    encoded = [_b64(f"{api_key}:"), _b64(api_key)]
    forms = [f"Basic {encoded[0]}", *encoded, *(e.rstrip("=") for e in encoded), api_key]
    return forms + [quote(form, safe="") for form in forms]


def bearer_forms(token: str) -> list[str]:
    """Return the bearer token, its header value and their URL-quoted spellings.

    :param token: the OAuth access token.
    """
    forms = [f"Bearer {token}", token]
    return forms + [quote(form, safe="") for form in forms]


def secret_forms_of_header(header_value: str) -> list[str]:
    """Return the secret forms carried by an ``Authorization`` header value.

    :param header_value: ``Basic <base64("key:")>`` or ``Bearer <token>``.
    """
    scheme, _, credentials = header_value.partition(" ")
    if scheme.lower() == "bearer":
        return bearer_forms(credentials)
    if scheme.lower() == "basic":
        try:
            user = base64.b64decode(credentials, validate=True).decode()
        except ValueError:
            return [header_value, credentials]
        return basic_forms(user.removesuffix(":"))
    return [header_value]


class Redactor:
    """Replaces every given secret form with ``[redacted]`` in texts, JSON values and headers.

    :param forms: the secret forms (see :func:`basic_forms`, :func:`bearer_forms`).
    """

    __slots__ = ("_forms",)

    def __init__(self, forms: Iterable[str]) -> None:
        unique = {form for form in forms if len(form) >= _MIN_SECRET_CHARS}
        self._forms = tuple(sorted(unique, key=len, reverse=True))

    def text(self, text: str) -> str:
        """Return ``text`` with every secret form replaced.

        :param text: any text built from a request or response.
        """
        for form in self._forms:
            if form in text:
                text = text.replace(form, REDACTED)
        return text

    def json(self, value: Any) -> Any:
        """Return a copy of a decoded JSON value with secrets replaced in keys and strings.

        :param value: a decoded JSON value (dicts, lists, strings, numbers).
        """
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {self.text(str(key)): self.json(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(item) for item in value]
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """Return the headers (names lower-cased) with secrets replaced in the values.

        :param headers: response headers.
        """
        return {str(name).lower(): self.text(str(value)) for name, value in headers.items()}

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._forms)} forms>)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Redactor holds secrets and cannot be pickled")


def scrub_request(error: BaseException) -> None:
    """Replace the ``Authorization`` header of the request an httpx error keeps, in place.

    The request is re-sent on a retry; the auth flow sets the header again on every send.

    :param error: an httpx exception (others are left alone).
    """
    request = getattr(error, "_request", None)
    if isinstance(request, httpx.Request) and "Authorization" in request.headers:
        request.headers["Authorization"] = REDACTED
