"""Offset pagination (``_skip``/``_limit``) and ``_fields`` projection, as Close does them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_close.sandbox.errors import (
    BadRequest,
    limit_too_large,
    not_an_integer,
    skip_too_large,
)
from airflow_provider_close.sandbox.limits import PageLimits

__all__ = [
    "OffsetWindow",
    "fields_param",
    "offset_page",
    "offset_window",
    "project",
    "project_all",
    "refuse_paging",
]


@dataclass(frozen=True)
class OffsetWindow:
    """The slice a list request asks for.

    :param skip: items to skip.
    :param limit: items to return.
    """

    skip: int
    limit: int


def _int_param(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise not_an_integer(name, raw) from None
    if value < 0:
        raise BadRequest(f"{name} must be a non-negative integer.")
    return value


def offset_window(params: Mapping[str, str], resource: str, limits: PageLimits) -> OffsetWindow:
    """Return the validated ``_skip``/``_limit`` of a list request.

    :param params: the query parameters.
    :param resource: the resource name the limits are looked up under.
    :param limits: the sandbox's current limits.
    :raises BadRequest: non-integer values, or values above the resource's maximum.
    """
    limit = _int_param(params, "_limit", limits.default_limit_for(resource))
    skip = _int_param(params, "_skip", 0)
    if limit > limits.limit_for(resource):
        raise limit_too_large(limits.limit_for(resource))
    if skip > limits.skip_for(resource):
        raise skip_too_large(limits.skip_for(resource))
    return OffsetWindow(skip=skip, limit=limit)


def refuse_paging(params: Mapping[str, str], path: str) -> None:
    """Refuse ``_limit``/``_skip`` on a list Close documents without paging (one answer).

    **Assumption** (close-openapi.yml lists no paging parameter on ``/status/lead/``,
    ``/status/opportunity/`` and ``/pipeline/``; what Close does with one is undocumented):
    the less convenient answer, a 400.

    :param params: the query parameters.
    :param path: the list path, for the message.
    :raises BadRequest: a paging parameter was sent.
    """
    sent = sorted(name for name in ("_limit", "_skip") if name in params)
    if sent:
        raise BadRequest(f"{path} does not page; unexpected parameter {sent[0]}.")


def offset_page(items: Sequence[dict[str, Any]], window: OffsetWindow) -> dict[str, Any]:
    """Return ``{"data": [...], "has_more": bool}`` for one window of ``items``.

    :param items: every matching item, in order.
    :param window: the requested slice.
    """
    data = list(items[window.skip : window.skip + window.limit])
    return {"data": data, "has_more": len(items) > window.skip + window.limit}


def fields_param(params: Mapping[str, str]) -> list[str] | None:
    """Return the ``_fields`` list of a request, or None when absent.

    :param params: the query parameters.
    """
    raw = params.get("_fields")
    if not raw:
        return None
    return [name.strip() for name in raw.split(",") if name.strip()]


def project(record: Mapping[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
    """Return ``record`` restricted to ``fields`` (``custom`` = every ``custom.cf_…`` key).

    Unknown field names are skipped, as Close does.

    :param record: the full record.
    :param fields: the requested fields, or None for all.
    """
    if fields is None:
        return dict(record)
    wanted = set(fields)
    return {
        key: value
        for key, value in record.items()
        if key in wanted or ("custom" in wanted and key.startswith("custom."))
    }


def project_all(
    records: Iterable[Mapping[str, Any]], fields: Sequence[str] | None
) -> list[dict[str, Any]]:
    """Return every record projected on ``fields``.

    :param records: the records.
    :param fields: the requested fields, or None for all.
    """
    return [project(record, fields) for record in records]
