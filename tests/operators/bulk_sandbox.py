"""Helpers of the bulk upsert tests: custom field keys, result files and writes seen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from airflow_provider_close.sandbox import CloseSandbox


def cf_key(sandbox: CloseSandbox, kind: str, name: str) -> str:
    """Return the ``custom.cf_…`` key of the ``kind`` custom field called ``name``."""
    (cf_id,) = [i for i, f in sandbox.state.custom_fields[kind].items() if f["name"] == name]
    return f"custom.{cf_id}"


def result_lines(path: Path) -> list[dict[str, Any]]:
    """Return the lines of a JSONL result file."""
    return [json.loads(line) for line in path.read_text().splitlines()]


def writes(sandbox: CloseSandbox) -> list[Any]:
    """Return the POSTs and PUTs the sandbox received, searches left out."""
    return [
        r for r in sandbox.requests if r.method in ("POST", "PUT") and "/data/search" not in r.path
    ]
