"""JSON encoding for Close: dates and datetimes (stdlib and pendulum) in bodies and queries.

Datetimes are ISO 8601; a naive datetime is taken to be UTC. Query values: ``None`` is
dropped, booleans are ``true``/``false``, lists are comma-joined (``_fields=a,b``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from uuid import UUID

__all__ = ["encode_json", "encode_params", "encode_value", "json_default"]


def json_default(value: object) -> object:
    """Return a JSON-encodable form of ``value`` (``json.dumps(default=...)``).

    :param value: a value the json module cannot encode by itself.
    """
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def encode_json(body: object) -> bytes:
    """Return ``body`` as compact UTF-8 JSON bytes, dates included.

    :param body: the request body.
    """
    return json.dumps(body, default=json_default, separators=(",", ":")).encode()


def encode_value(value: object) -> str:
    """Return one query-string value as Close expects it.

    :param value: a scalar, date/datetime, or a list/tuple (comma-joined).
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return ",".join(encode_value(item) for item in value)
    if isinstance(value, int | float):
        return str(value)
    encoded = json_default(value)
    return encoded if isinstance(encoded, str) else str(encoded)


def encode_params(params: Mapping[str, object] | None) -> dict[str, str]:
    """Return query parameters as strings, dropping ``None`` values.

    :param params: the caller's query parameters.
    """
    return {key: encode_value(value) for key, value in (params or {}).items() if value is not None}
