"""The Export API: asynchronous lead and opportunity exports finished on the sandbox clock.

close-api.md §8, §9b and Close's export pages: ``POST /export/lead/`` (``format``, ``type``,
``s_query``, ``results_limit``, ``sort``, ``fields``, ``include_activities``) and
``POST /export/opportunity/`` (``format``, ``params`` = ``/opportunity/`` filters) start an
export; ``GET /export/{id}/`` shows its ``status`` (``created`` at once, ``in_progress``, then
``done`` after ``state.export_seconds`` of sandbox-clock time, default 10) and, once done, a
``download_url``; the file is a gzip-compressed JSON array.

The data is captured when the export is created (**assumption**: Close does not say when
during processing it reads). Only ``format: "json"`` is emulated.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from airflow_provider_close.sandbox.errors import NotFound, ValidationFailed
from airflow_provider_close.sandbox.models.checks import actor_fields, invalid_choice
from airflow_provider_close.sandbox.models.leads import render_lead
from airflow_provider_close.sandbox.opportunity_queries import opportunity_query
from airflow_provider_close.sandbox.pagination import project
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.search.advanced import node_matches
from airflow_provider_close.sandbox.search.objects import SearchObject
from airflow_provider_close.sandbox.state import SandboxState
from airflow_provider_close.sandbox.timestamps import parse_moment

__all__ = [
    "DOWNLOAD_PATH",
    "create_export",
    "export_file",
    "export_status",
]

#: Where the sandbox serves finished files (no Close auth, like a pre-signed S3 URL).
DOWNLOAD_PATH = "/_sandbox/exports/{export_id}/file.json.gz"
_LEAD_TYPES = ("leads", "contacts", "lead_opps")
_FORMATS = ("json",)


def _check_format(payload: Mapping[str, Any]) -> None:
    value = payload.get("format")
    if value not in _FORMATS:
        message = "This field is required." if value is None else invalid_choice(value, _FORMATS)
        raise ValidationFailed({"format": message})


def _lead_rows(state: SandboxState, payload: Mapping[str, Any]) -> list[Record]:
    kind = payload.get("type", "leads")
    if kind not in _LEAD_TYPES:
        raise ValidationFailed({"type": invalid_choice(kind, _LEAD_TYPES)})
    query = payload.get("s_query") or {"type": "match_all"}
    stored = state.stored_records()  # exports read the stores, not the lagging index
    leads = [
        lead
        for lead in state.leads.values()
        if node_matches(stored, SearchObject("lead", lead), query)
    ]
    limit = payload.get("results_limit")
    rows = [render_lead(state, lead) for lead in leads[: limit if isinstance(limit, int) else None]]
    if payload.get("include_activities"):
        for row in rows:
            row["activities"] = [a for a in state.activities.values() if a["lead_id"] == row["id"]]
    if kind == "contacts":
        rows = [contact for row in rows for contact in row["contacts"]]
    elif kind == "lead_opps":
        rows = [opportunity for row in rows for opportunity in row["opportunities"]]
    return rows


def _opportunity_rows(state: SandboxState, payload: Mapping[str, Any]) -> list[Record]:
    params = payload.get("params") or {}
    if not isinstance(params, dict):
        raise ValidationFailed({"params": "This field must be an object."})
    query = opportunity_query({str(key): str(value) for key, value in params.items()})
    return query.ordered([o for o in state.opportunities.values() if query.matches(o)])


def create_export(state: SandboxState, object_type: str, payload: Mapping[str, Any]) -> Record:
    """Start an export of ``lead`` or ``opportunity`` data; return the export record.

    :param state: the sandbox state.
    :param object_type: ``lead`` or ``opportunity``.
    :param payload: the POST body.
    :raises ValidationFailed: a missing or unsupported ``format``/``type``, bad ``params``.
    """
    _check_format(payload)
    with state.lock:
        rows = (_lead_rows if object_type == "lead" else _opportunity_rows)(state, payload)
        fields = payload.get("fields")
        if isinstance(fields, list):
            rows = [project(row, fields) for row in rows]
        export_id = state.new_id("expo")
        record: Record = {
            "id": export_id,
            "object_type": object_type,
            "format": payload["format"],
            "type": payload.get("type", "leads") if object_type == "lead" else "opportunities",
            "status": "created",
            "download_url": None,
            "n_objects": len(rows),
            "organization_id": state.organization_id,
            **actor_fields(state.me, state.timestamp(), created=True),
        }
        payload_bytes = json.dumps(rows).encode()
        state.exports[export_id] = {"record": record, "file": gzip.compress(payload_bytes)}
        return dict(record)


def export_status(state: SandboxState, export_id: str, base_url: str) -> Record:
    """Return the export as ``GET /export/{id}/`` shows it at the sandbox clock's time.

    :param state: the sandbox state.
    :param export_id: the export.
    :param base_url: ``scheme://host:port`` of the sandbox, for the ``download_url``.
    :raises NotFound: no such export.
    """
    entry = state.exports.get(export_id)
    if entry is None:
        raise NotFound(f"Empty query: export {export_id} does not exist.")
    record = dict(entry["record"])
    started = parse_moment(record["date_created"])
    assert started is not None  # written by the sandbox
    elapsed = state.now() - started
    if elapsed >= timedelta(seconds=state.export_seconds):
        record["status"] = "done"
        record["download_url"] = base_url + DOWNLOAD_PATH.format(export_id=export_id)
    elif elapsed > timedelta(0):
        record["status"] = "in_progress"
    return record


def export_file(state: SandboxState, export_id: str) -> bytes:
    """Return the gzip bytes of a finished export.

    :param state: the sandbox state.
    :param export_id: the export.
    :raises NotFound: no such export, or not finished yet.
    """
    entry = state.exports.get(export_id)
    if entry is None or export_status(state, export_id, "")["status"] != "done":
        raise NotFound(f"Empty query: export {export_id} has no file.")
    return bytes(entry["file"])
