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
    from airflow_provider_close.extraction.engine import iter_extract
    from airflow_provider_close.extraction.errors import (
        CloseExtractionError,
        UnexpectedOrderError,
        UnwindowedLimitError,
        WindowTooDenseError,
    )
    from airflow_provider_close.extraction.ndjson import ExtractResult, extract_to_stream, json_line
    from airflow_provider_close.extraction.walk import WalkStats
    from airflow_provider_close.extraction.windows import Window

__all__ = [
    "RESOURCES",
    "CloseExtractionError",
    "ExtractResult",
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
    "resource_spec",
]

#: Public name -> the module that defines it; imported on first use (DAG files stay cheap).
_HOMES: dict[str, str] = {
    "CloseExtractionError": "airflow_provider_close.extraction.errors",
    "ExtractResult": "airflow_provider_close.extraction.ndjson",
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
    "resource_spec": "airflow_provider_close.client.resources",
}

__getattr__ = exports_on_first_use(__name__, _HOMES)
