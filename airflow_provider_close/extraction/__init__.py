"""One generic, windowed, streamed list-to-NDJSON path for every Close list resource.

No Airflow imports: operators wrap :func:`extract_to_stream` / :func:`iter_extract`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_close.client.lazy_exports import exports_on_first_use

if TYPE_CHECKING:
    from airflow_provider_close.client.resources import (
        RESOURCES,
        ResourceSpec,
        activity_spec,
        resource_spec,
    )
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

#: Public name -> the module that defines it; imported on first use (DAG files stay cheap).
_HOMES: dict[str, str] = {
    "CloseExtractionError": "airflow_provider_close.extraction.errors",
    "ExtractResult": "airflow_provider_close.extraction.ndjson",
    "ListClient": "airflow_provider_close.extraction.engine",
    "PageData": "airflow_provider_close.extraction.walk",
    "PageReader": "airflow_provider_close.extraction.walk",
    "RESOURCES": "airflow_provider_close.client.resources",
    "ResourceSpec": "airflow_provider_close.client.resources",
    "UnexpectedOrderError": "airflow_provider_close.extraction.errors",
    "UnwindowedLimitError": "airflow_provider_close.extraction.errors",
    "WalkStats": "airflow_provider_close.extraction.walk",
    "Window": "airflow_provider_close.extraction.windows",
    "WindowTooDenseError": "airflow_provider_close.extraction.errors",
    "activity_spec": "airflow_provider_close.client.resources",
    "extract_to_stream": "airflow_provider_close.extraction.ndjson",
    "iter_extract": "airflow_provider_close.extraction.engine",
    "json_line": "airflow_provider_close.extraction.ndjson",
    "page_reader": "airflow_provider_close.extraction.engine",
    "resource_spec": "airflow_provider_close.client.resources",
    "search_reader": "airflow_provider_close.extraction.engine",
}

__getattr__ = exports_on_first_use(__name__, _HOMES)
