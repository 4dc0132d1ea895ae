"""Close API client on httpx (no Airflow imports anywhere in this package)."""

from __future__ import annotations

from airflow_provider_close.client.errors import (
    CloseAPIError,
    CloseAuthError,
    CloseConfigError,
    CloseError,
    CloseMaxSkipError,
    CloseNotFoundError,
    ClosePaginationLimitError,
    ClosePayloadError,
    ClosePaymentRequiredError,
    ClosePermissionError,
    CloseRateLimitError,
    CloseServerError,
    CloseTransportError,
    CloseUnknownOutcomeError,
    CloseValidationError,
    JSONObject,
)

__all__ = [
    "CloseAPIError",
    "CloseAuthError",
    "CloseConfigError",
    "CloseError",
    "CloseMaxSkipError",
    "CloseNotFoundError",
    "ClosePaginationLimitError",
    "ClosePayloadError",
    "ClosePaymentRequiredError",
    "ClosePermissionError",
    "CloseRateLimitError",
    "CloseServerError",
    "CloseTransportError",
    "CloseUnknownOutcomeError",
    "CloseValidationError",
    "JSONObject",
]
