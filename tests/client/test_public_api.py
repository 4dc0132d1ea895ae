"""The package's public names are pinned, and it imports without Airflow."""

from __future__ import annotations

import subprocess
import sys

from airflow_provider_close import client

PUBLIC = {
    "ACTIVITY_TYPES", "DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "ActivityType", "ApiKeyAuth",
    "AsyncCloseClient", "BearerAuth", "ClientStats", "CloseAPIError", "CloseAuthError",
    "CloseClient", "CloseConfigError", "CloseError", "CloseMaxLimitError", "CloseMaxSkipError",
    "CloseNotFoundError",
    "ClosePaginationLimitError", "ClosePayloadError", "ClosePaymentRequiredError",
    "ClosePermissionError", "CloseRateLimitError", "CloseServerError", "CloseTransportError",
    "CloseUnknownOutcomeError", "CloseValidationError", "Fields", "JSONObject", "Page",
    "RateLimitInfo", "RetryPolicy", "activity_path", "default_jitter", "encode_json",
    "encode_params", "max_page_size", "no_jitter",
    # refreshing OAuth (issue 19)
    "CloseOAuthError", "KeyValueTokenStore", "MemoryTokenStore", "OAuthApp", "OAuthRefreshAuth",
    "TokenStore",
    # bulk edits and sequence subscriptions (issue 14)
    "BULK_EDIT_TYPES", "bulk_edit_body", "subscription_body",
}  # fmt: skip


def test_public_names_are_pinned() -> None:
    assert set(client.__all__) == PUBLIC
    assert all(hasattr(client, name) for name in client.__all__)


def test_the_client_imports_without_airflow() -> None:
    code = (
        "import sys; import airflow_provider_close.client; "
        "assert not any(m == 'airflow' or m.startswith('airflow.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('airflow'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
