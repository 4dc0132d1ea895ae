"""Advanced Filtering bodies that list every lead or contact of a window (pure, no I/O).

Leads and contacts have no date filter on their plain lists (close-api.md §9b), so the engine
lists them with ``POST /data/search/``: an ``object_type`` node, a ``moment_range`` on
``date_created`` for the window (the contacts of one lead come from the plain list). The
client sorts the walk on ``date_created`` and resumes it by keyset (``client/keyset.py``).
Search returns only the fields named in ``_fields``; without ``fields`` the engine asks for
every field of the object as Close documents it (§6.1, §6.2; ``custom`` = every custom field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from airflow_provider_close.client.resources import ResourceSpec
from airflow_provider_close.client.timestamps import format_moment
from airflow_provider_close.extraction.windows import Window

__all__ = ["SEARCH_FIELDS", "search_body", "search_row"]

_COMMON: Final = (
    "id",
    "organization_id",
    "custom",
    "integration_links",
    "created_by",
    "created_by_name",
    "updated_by",
    "updated_by_name",
    "date_created",
    "date_updated",
)
#: The fields a search asks for when the caller names none, by object type.
SEARCH_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "lead": (
        "name",
        "display_name",
        "description",
        "url",
        "status_id",
        "status_label",
        "contacts",
        "opportunities",
        "tasks",
        "addresses",
        "html_url",
        *_COMMON,
    ),
    "contact": (
        "lead_id",
        "name",
        "display_name",
        "title",
        "emails",
        "phones",
        "urls",
        *_COMMON,
    ),
}


def _moment(value: Any) -> dict[str, str]:
    return {"type": "fixed_utc", "value": format_moment(value)}


def search_body(spec: ResourceSpec, window: Window) -> dict[str, Any]:
    """Return the ``/data/search/`` body listing ``spec``'s objects of ``window``.

    :param spec: a ``search`` resource (``lead`` or ``contact``), its ``_fields`` parameter
        honoured (the contacts of one lead are read from the plain list, see ``engine.py``).
    :param window: the ``date_created`` window.
    """
    object_type = str(spec.search_type)
    queries: list[dict[str, Any]] = [{"type": "object_type", "object_type": object_type}]
    if window.start is not None or window.end is not None:
        condition: dict[str, Any] = {"type": "moment_range"}
        if window.start is not None:
            condition["on_or_after"] = _moment(window.start)
        if window.end is not None:
            condition["before"] = _moment(window.end)
        field = {"type": "regular_field", "object_type": object_type, "field_name": "date_created"}
        queries.append({"type": "field_condition", "field": field, "condition": condition})
    named = spec.params.get("_fields")
    fields = named.split(",") if named else list(SEARCH_FIELDS[object_type])
    return {"query": {"type": "and", "queries": queries}, "_fields": {object_type: fields}}


def search_row(result: Mapping[str, Any]) -> dict[str, Any]:
    """Return a search result as the object itself (without Close's ``__object_type``).

    :param result: one ``data`` item of a search page.
    """
    return {key: value for key, value in result.items() if key != "__object_type"}
