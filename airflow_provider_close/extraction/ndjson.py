"""Write an extraction as newline-delimited JSON, deterministically (sorted keys, compact)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO, TypedDict

from airflow_provider_close.client.resources import ResourceSpec
from airflow_provider_close.extraction.engine import iter_extract
from airflow_provider_close.extraction.walk import WalkStats

if TYPE_CHECKING:
    from airflow_provider_close.client.sync import CloseClient

__all__ = ["ExtractResult", "extract_to_stream", "json_line"]


class ExtractResult(TypedDict):
    """What one extraction wrote (JSON-safe, fit for XCom).

    :param resource: the resource spec name.
    :param rows: lines written.
    :param requests: requests sent (pages plus refused max-skip requests).
    :param windows: windows walked.
    :param rows_reread: rows read again at a keyset page boundary (never written twice).
    :param duplicates_dropped: rows Close sent twice, written once.
    """

    resource: str
    rows: int
    requests: int
    windows: int
    rows_reread: int
    duplicates_dropped: int


def json_line(row: dict[str, Any]) -> str:
    """Return ``row`` as one deterministic JSON line (sorted keys, no spaces, trailing newline).

    :param row: a JSON-safe mapping.
    """
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def extract_to_stream(
    client: CloseClient,
    spec: ResourceSpec,
    start: datetime | None,
    end: datetime | None,
    stream: TextIO,
) -> ExtractResult:
    """Write every row of ``spec`` in ``[start, end)`` to ``stream`` as NDJSON; return counts.

    :param client: a Close client.
    :param spec: the resource to extract.
    :param start: inclusive lower bound (aware) or None.
    :param end: exclusive upper bound (aware) or None.
    :param stream: a text stream opened for writing.
    :raises CloseExtractionError: the output could not be complete and exact (the stream then
        holds a prefix: write to a temporary file and replace the target only on success).
    """
    stats = WalkStats()
    rows = 0
    for row in iter_extract(client, spec, start, end, stats=stats):
        stream.write(json_line(row))
        rows += 1
    return ExtractResult(
        resource=spec.name,
        rows=rows,
        requests=stats.requests,
        windows=stats.windows,
        rows_reread=stats.rows_reread,
        duplicates_dropped=stats.duplicates_dropped,
    )
