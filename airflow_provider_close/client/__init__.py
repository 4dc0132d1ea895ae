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
