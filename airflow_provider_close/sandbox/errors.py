"""Close's error bodies, raised as exceptions by the sandbox and rendered by the routes.

```
CloseSandboxError            status + JSON body
├── BadRequest        400    {"error": "..."}
├── ValidationFailed  400    {"errors": [...], "field-errors": {...}}
├── NotFound          404    {"error": "..."}
└── MethodNotAllowed  405    {"error": "..."}
```
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "INVALID_JSON",
    "BadRequest",
    "CloseSandboxError",
    "FieldErrors",
    "MethodNotAllowed",
    "NotFound",
    "ValidationFailed",
    "limit_too_large",
    "nested_errors",
    "not_an_integer",
    "skip_too_large",
]

#: ``{field: message}``, where a nested object's value is itself an error body.
FieldErrors = dict[str, Any]

INVALID_JSON = "The request contains invalid JSON."


class CloseSandboxError(Exception):
    """An error the sandbox answers with Close's status code and JSON body.

    :param status: HTTP status code.
    :param body: the JSON body Close sends for this error.
    """

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


class BadRequest(CloseSandboxError):
    """A 400 with a single message, ``{"error": message}``.

    :param message: the message.
    """

    def __init__(self, message: str) -> None:
        super().__init__(400, {"error": message})


class ValidationFailed(CloseSandboxError):
    """A 400 validation error, ``{"errors": [...], "field-errors": {...}}``.

    :param field_errors: per-field messages (nested bodies for nested objects).
    :param errors: messages not tied to one field.
    """

    def __init__(self, field_errors: FieldErrors | None = None, errors: list[str] | None = None):
        self.field_errors: FieldErrors = dict(field_errors or {})
        self.errors: list[str] = list(errors or [])
        super().__init__(400, {"errors": self.errors, "field-errors": self.field_errors})


class NotFound(CloseSandboxError):
    """A 404 for an unknown object id.

    :param message: the message.
    """

    def __init__(self, message: str = "Empty query: object does not exist.") -> None:
        super().__init__(404, {"error": message})


class MethodNotAllowed(CloseSandboxError):
    """A 405 for a method the endpoint does not support.

    :param method: the HTTP method that was refused.
    """

    def __init__(self, method: str) -> None:
        super().__init__(405, {"error": f"Method {method} not allowed."})


def nested_errors(by_index: Mapping[int, ValidationFailed]) -> dict[str, Any]:
    """Return the field-error value for a list of nested objects (indexes as string keys).

    :param by_index: list index -> the validation error of that item.
    """
    return {"errors": {str(index): error.body for index, error in sorted(by_index.items())}}


def limit_too_large(max_limit: int) -> BadRequest:
    """Return Close's error for a ``_limit`` above the resource's maximum.

    :param max_limit: the resource's maximum.
    """
    return BadRequest(
        "The limit you set is larger than the maximum limit for this resource "
        f"(max_limit = {max_limit})."
    )


def skip_too_large(max_skip: int) -> BadRequest:
    """Return Close's error for a ``_skip`` above the resource's maximum.

    :param max_skip: the resource's maximum.
    """
    return BadRequest(
        "The skip you set is larger than the maximum skip for this resource "
        f"(max_skip = {max_skip}). Please refine your search query."
    )


def not_an_integer(name: str, raw: str) -> BadRequest:
    """Return Close's error for a non-integer ``_limit``/``_skip``.

    :param name: the parameter name, e.g. ``_limit``.
    :param raw: the value that was sent.
    """
    return BadRequest(f'{name} must be an integer (got "{raw}" instead).')
