"""One generic, windowed, streamed list-to-NDJSON path for every Close list resource.

No Airflow imports: operators wrap :func:`extract_to_stream` / :func:`iter_extract`.
"""

from __future__ import annotations

from airflow_provider_close.extraction.engine import (
    ListClient,
    iter_extract,
    page_reader,
    search_reader,
)
from airflow_provider_close.extraction.errors import (
    CloseExtractionError,
    UnexpectedOrderError,
    UnwindowedLimitError,
    WindowTooDenseError,
)
from airflow_provider_close.extraction.ndjson import ExtractResult, extract_to_stream, json_line
from airflow_provider_close.extraction.resources import (
    RESOURCES,
    ResourceSpec,
    activity_spec,
    resource_spec,
)
from airflow_provider_close.extraction.walk import PageData, PageReader, WalkStats
from airflow_provider_close.extraction.windows import Window

__all__ = [
    "RESOURCES",
    "CloseExtractionError",
    "ExtractResult",
    "ListClient",
    "PageData",
    "PageReader",
    "ResourceSpec",
    "UnexpectedOrderError",
    "UnwindowedLimitError",
    "WalkStats",
    "Window",
    "WindowTooDenseError",
    "activity_spec",
    "extract_to_stream",
    "iter_extract",
    "json_line",
    "page_reader",
    "resource_spec",
    "search_reader",
]
