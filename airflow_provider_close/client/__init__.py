"""Close API client on httpx (no Airflow imports anywhere in this package).

```python
from airflow_provider_close.client import CloseClient, RetryPolicy

with CloseClient(api_key="...") as client:
    lead = client.get("lead/lead_xxx/", fields=["id", "name"])
    for contact in client.iter_items("contact/", {"lead_id": lead["id"]}):
        ...
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_close.client.lazy_exports import exports_on_first_use

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient
    from airflow_provider_close.client.attempt import ClientStats
    from airflow_provider_close.client.auth import ApiKeyAuth, BearerAuth
    from airflow_provider_close.client.automation_payloads import (
        BULK_EDIT_TYPES,
        bulk_edit_body,
        subscription_body,
    )
    from airflow_provider_close.client.config import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, Fields
    from airflow_provider_close.client.encoding import encode_json, encode_params
    from airflow_provider_close.client.errors import (
        CloseAPIError,
        CloseAuthError,
        CloseConfigError,
        CloseError,
        CloseMaxLimitError,
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
    from airflow_provider_close.client.oauth import CloseOAuthError, OAuthApp
    from airflow_provider_close.client.oauth_auth import OAuthRefreshAuth
    from airflow_provider_close.client.pagination import Page
    from airflow_provider_close.client.ratelimit import RateLimitInfo
    from airflow_provider_close.client.resources import (
        ACTIVITY_TYPES,
        ActivityType,
        activity_path,
        max_page_size,
    )
    from airflow_provider_close.client.retry import RetryPolicy, default_jitter, no_jitter
    from airflow_provider_close.client.sync import CloseClient
    from airflow_provider_close.client.token_store import (
        KeyValueTokenStore,
        MemoryTokenStore,
        TokenStore,
    )

__all__ = [
    "ACTIVITY_TYPES",
    "BULK_EDIT_TYPES",
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "ActivityType",
    "ApiKeyAuth",
    "AsyncCloseClient",
    "BearerAuth",
    "ClientStats",
    "CloseAPIError",
    "CloseAuthError",
    "CloseClient",
    "CloseConfigError",
    "CloseError",
    "CloseMaxLimitError",
    "CloseMaxSkipError",
    "CloseNotFoundError",
    "CloseOAuthError",
    "ClosePaginationLimitError",
    "ClosePayloadError",
    "ClosePaymentRequiredError",
    "ClosePermissionError",
    "CloseRateLimitError",
    "CloseServerError",
    "CloseTransportError",
    "CloseUnknownOutcomeError",
    "CloseValidationError",
    "Fields",
    "JSONObject",
    "KeyValueTokenStore",
    "MemoryTokenStore",
    "OAuthApp",
    "OAuthRefreshAuth",
    "Page",
    "RateLimitInfo",
    "RetryPolicy",
    "TokenStore",
    "activity_path",
    "bulk_edit_body",
    "default_jitter",
    "encode_json",
    "encode_params",
    "max_page_size",
    "no_jitter",
    "subscription_body",
]

#: Public name -> the module that defines it; imported on first use (DAG files stay cheap).
_HOMES: dict[str, str] = {
    "ACTIVITY_TYPES": "airflow_provider_close.client.resources",
    "ActivityType": "airflow_provider_close.client.resources",
    "ApiKeyAuth": "airflow_provider_close.client.auth",
    "AsyncCloseClient": "airflow_provider_close.client.asynchronous",
    "BULK_EDIT_TYPES": "airflow_provider_close.client.automation_payloads",
    "BearerAuth": "airflow_provider_close.client.auth",
    "ClientStats": "airflow_provider_close.client.attempt",
    "CloseAPIError": "airflow_provider_close.client.errors",
    "CloseAuthError": "airflow_provider_close.client.errors",
    "CloseClient": "airflow_provider_close.client.sync",
    "CloseConfigError": "airflow_provider_close.client.errors",
    "CloseError": "airflow_provider_close.client.errors",
    "CloseMaxLimitError": "airflow_provider_close.client.errors",
    "CloseMaxSkipError": "airflow_provider_close.client.errors",
    "CloseNotFoundError": "airflow_provider_close.client.errors",
    "CloseOAuthError": "airflow_provider_close.client.oauth",
    "ClosePaginationLimitError": "airflow_provider_close.client.errors",
    "ClosePayloadError": "airflow_provider_close.client.errors",
    "ClosePaymentRequiredError": "airflow_provider_close.client.errors",
    "ClosePermissionError": "airflow_provider_close.client.errors",
    "CloseRateLimitError": "airflow_provider_close.client.errors",
    "CloseServerError": "airflow_provider_close.client.errors",
    "CloseTransportError": "airflow_provider_close.client.errors",
    "CloseUnknownOutcomeError": "airflow_provider_close.client.errors",
    "CloseValidationError": "airflow_provider_close.client.errors",
    "DEFAULT_BASE_URL": "airflow_provider_close.client.config",
    "DEFAULT_TIMEOUT": "airflow_provider_close.client.config",
    "Fields": "airflow_provider_close.client.config",
    "JSONObject": "airflow_provider_close.client.errors",
    "KeyValueTokenStore": "airflow_provider_close.client.token_store",
    "MemoryTokenStore": "airflow_provider_close.client.token_store",
    "OAuthApp": "airflow_provider_close.client.oauth",
    "OAuthRefreshAuth": "airflow_provider_close.client.oauth_auth",
    "Page": "airflow_provider_close.client.pagination",
    "RateLimitInfo": "airflow_provider_close.client.ratelimit",
    "RetryPolicy": "airflow_provider_close.client.retry",
    "TokenStore": "airflow_provider_close.client.token_store",
    "activity_path": "airflow_provider_close.client.resources",
    "bulk_edit_body": "airflow_provider_close.client.automation_payloads",
    "default_jitter": "airflow_provider_close.client.retry",
    "encode_json": "airflow_provider_close.client.encoding",
    "encode_params": "airflow_provider_close.client.encoding",
    "max_page_size": "airflow_provider_close.client.resources",
    "no_jitter": "airflow_provider_close.client.retry",
    "subscription_body": "airflow_provider_close.client.automation_payloads",
}

__getattr__ = exports_on_first_use(__name__, _HOMES)
