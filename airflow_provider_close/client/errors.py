"""The Close client's exception tree and the status -> class table.

```
CloseError                              base; .method .path .status (None if no response)
├── CloseConfigError                    bad client configuration (no key, bad base URL)
├── ClosePayloadError (also ValueError) bad input, raised before any request; .field .value .allowed
├── ClosePaginationLimitError           a list had more than max_items; .max_items
├── CloseTransportError                 connection/timeout problems (wraps the httpx error)
├── CloseUnknownOutcomeError            a non-idempotent write may or may not have been applied
└── CloseAPIError                       any non-2xx; .body .headers .request_id
    ├── CloseValidationError    400     .errors (list) .field_errors (nested dict)
    │   ├── CloseMaxSkipError   400     "maximum skip" message; .max_skip
    │   └── CloseMaxLimitError  400     "maximum limit" message; .max_limit
    ├── CloseAuthError          401
    ├── ClosePaymentRequiredError 402
    ├── ClosePermissionError    403
    ├── CloseNotFoundError      404
    ├── CloseRateLimitError     429     .retry_after
    └── CloseServerError        5xx
```

Messages name the method, path and status and never contain credentials: errors are built
from the response only, never from the request headers, and the client redacts every form of
its credentials from the body, headers and transport detail first (``client/redaction.py``;
servers and proxies that echo request headers would otherwise put ``Basic base64(key:)`` here).
Every error pickles (Airflow may pickle exceptions); the ``__cause__`` chain is not carried
across a pickle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airflow_provider_close.client.bodies import (
    JSONObject,
    error_summary,
    max_limit_in,
    max_skip_in,
    request_id,
)

__all__ = [
    "CloseAPIError",
    "CloseAuthError",
    "CloseConfigError",
    "CloseError",
    "CloseMaxLimitError",
    "CloseMaxSkipError",
    "CloseNotFoundError",
    "ClosePaginationLimitError",
    "ClosePayloadError",
    "ClosePaymentRequiredError",
    "ClosePermissionError",
    "CloseRateLimitError",
    "CloseServerError",
    "CloseTransportError",
    "CloseUnknownOutcomeError",
    "CloseValidationError",
    "JSONObject",
    "error_for_status",
]


def _restore(cls: type[CloseError], args: tuple[object, ...], state: dict[str, Any]) -> CloseError:
    """Rebuild an error from its args and attributes without calling ``__init__``."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class CloseError(Exception):
    """Base of every error the Close client raises.

    :param message: the full, secret-free message.
    :param method: HTTP method of the request, if any.
    :param path: path relative to the API base URL, if any.
    :param status: HTTP status of the response, ``None`` when there was none.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.method = method
        self.path = path
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class CloseConfigError(CloseError):
    """The client was configured wrongly (no credentials, both credentials, bad URL...)."""


class ClosePayloadError(CloseError, ValueError):
    """A payload was rejected before any request was sent.

    :param field: dotted name of the offending field, e.g. ``call.direction``.
    :param value: the value that was given.
    :param allowed: human-readable description of what is allowed.
    """

    def __init__(self, field: str, value: object, allowed: str) -> None:
        super().__init__(f"{field}: got {value!r}; allowed: {allowed}")
        self.field = field
        self.value = value
        self.allowed = allowed


class ClosePaginationLimitError(CloseError):
    """A list had more items than the ``max_items`` the caller allowed.

    :param method: HTTP method of the list request.
    :param path: path of the list.
    :param max_items: the bound that was exceeded.
    """

    def __init__(self, method: str, path: str, max_items: int) -> None:
        super().__init__(
            f"{method} {path}: more than max_items={max_items} items; refine the query "
            "or raise max_items",
            method=method,
            path=path,
        )
        self.max_items = max_items


class CloseTransportError(CloseError):
    """The request failed below HTTP (connect error, timeout, dropped connection).

    The httpx exception is the ``__cause__``; ``.cause_type`` names it.

    :param method: HTTP method of the request.
    :param path: path of the request.
    :param cause_type: class name of the transport exception.
    :param detail: secret-free description of the failure.
    :param url: the full URL tried, without credentials or query string (named in the message
        instead of ``path``, so a wrong host or port shows); ``.url``.
    """

    def __init__(
        self, method: str, path: str, cause_type: str, detail: str = "", url: str | None = None
    ) -> None:
        suffix = f": {detail}" if detail else ""
        super().__init__(
            f"{method} {url or path}: transport error {cause_type}{suffix}",
            method=method,
            path=path,
        )
        self.cause_type = cause_type
        self.url = url


class CloseUnknownOutcomeError(CloseError):
    """A write that is not safe to repeat failed after it may have reached Close.

    It was not re-sent: check Close (e.g. search for the object) before trying again.

    :param method: HTTP method of the request.
    :param path: path of the request.
    :param cause: the transport error type name or the server error that was seen.
    :param status: the 5xx status, ``None`` for a transport failure.
    """

    def __init__(self, method: str, path: str, cause: str, status: int | None = None) -> None:
        seen = f"{status}" if status is not None else "no response"
        super().__init__(
            f"{method} {path}: {seen} ({cause}); the request may or may not have been "
            "applied and was not re-sent",
            method=method,
            path=path,
            status=status,
        )
        self.cause = cause


class CloseAPIError(CloseError):
    """Close answered with a non-2xx status.

    :param method: HTTP method of the request.
    :param path: path of the request.
    :param status: HTTP status code.
    :param body: decoded JSON body (or ``{"raw": text}`` when it was not JSON).
    :param headers: response headers, lower-cased names.
    """

    def __init__(
        self,
        method: str,
        path: str,
        status: int,
        body: JSONObject | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.body: JSONObject = dict(body or {})
        self.headers: dict[str, str] = {k.lower(): v for k, v in (headers or {}).items()}
        self.request_id = request_id(self.headers)
        detail = error_summary(self.body)
        rid = f" [request id {self.request_id}]" if self.request_id else ""
        message = f"{method} {path}: {status} {self._label}{': ' + detail if detail else ''}{rid}"
        super().__init__(message, method=method, path=path, status=status)

    _label = "error"


class CloseValidationError(CloseAPIError):
    """400: Close rejected the request; ``.errors`` and the nested ``.field_errors``."""

    _label = "bad request"

    @property
    def errors(self) -> list[Any]:
        """Close's non-field messages (``errors``), plus a plain ``error`` string if any."""
        found = self.body.get("errors")
        messages = list(found) if isinstance(found, list) else []
        if isinstance(self.body.get("error"), str):
            messages.append(self.body["error"])
        return messages

    @property
    def field_errors(self) -> dict[str, Any]:
        """Close's ``field-errors``: ``{field: message}``, nested for nested objects."""
        found = self.body.get("field-errors")
        return dict(found) if isinstance(found, dict) else {}


class CloseMaxSkipError(CloseValidationError):
    """400: ``_skip`` went past the resource's maximum; window the query instead."""

    @property
    def max_skip(self) -> int | None:
        """The ``max_skip`` Close reported, if the message carried one."""
        return max_skip_in(self.body)


class CloseMaxLimitError(CloseValidationError):
    """400: ``_limit`` is above the resource's maximum; the client retries with ``.max_limit``."""

    @property
    def max_limit(self) -> int | None:
        """The ``max_limit`` Close reported."""
        return max_limit_in(self.body)


class CloseAuthError(CloseAPIError):
    """401: the API key or token is missing or invalid."""

    _label = "unauthorized"


class ClosePaymentRequiredError(CloseAPIError):
    """402: a plan limit was reached."""

    _label = "payment required"


class ClosePermissionError(CloseAPIError):
    """403: the user may not do this."""

    _label = "forbidden"


class CloseNotFoundError(CloseAPIError):
    """404: no such object or path."""

    _label = "not found"


class CloseRateLimitError(CloseAPIError):
    """429: rate limited; ``.retry_after`` is the server's wait in seconds, if it gave one.

    The wait comes from ``Retry-After``, else the ``RateLimit`` reset, else the legacy body.
    """

    _label = "rate limited"

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked us to wait, ``None`` if it gave no hint."""
        from airflow_provider_close.client.ratelimit import server_wait

        return server_wait(self.headers, self.body)


class CloseServerError(CloseAPIError):
    """5xx: Close failed."""

    _label = "server error"


_STATUS_ERRORS: dict[int, type[CloseAPIError]] = {
    400: CloseValidationError,
    401: CloseAuthError,
    402: ClosePaymentRequiredError,
    403: ClosePermissionError,
    404: CloseNotFoundError,
    429: CloseRateLimitError,
}


def error_for_status(
    method: str,
    path: str,
    status: int,
    body: JSONObject | None = None,
    headers: Mapping[str, str] | None = None,
) -> CloseAPIError:
    """Return the error instance for a non-2xx response (stripe-style status table).

    :param method: HTTP method of the request.
    :param path: path of the request.
    :param status: HTTP status code.
    :param body: decoded JSON body, if any.
    :param headers: response headers.
    """
    cls = _STATUS_ERRORS.get(status)
    if cls is None:
        cls = CloseServerError if status >= 500 else CloseAPIError
    if cls is CloseValidationError and max_skip_in(body or {}) is not None:
        cls = CloseMaxSkipError
    elif cls is CloseValidationError and max_limit_in(body or {}) is not None:
        cls = CloseMaxLimitError
    return cls(method, path, status, body, headers)
