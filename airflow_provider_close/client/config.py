"""What the sync and async clients share: validated configuration and the non-I/O half.

Configuration is parsed once here, so the two clients can never disagree about it.
"""

from __future__ import annotations

import logging
import math
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from airflow_provider_close import __version__
from airflow_provider_close.client.attempt import Attempt, ClientStats, RequestSpec
from airflow_provider_close.client.auth import CloseAuth, auth_for
from airflow_provider_close.client.encoding import encode_json, encode_params
from airflow_provider_close.client.errors import CloseConfigError, CloseMaxLimitError
from airflow_provider_close.client.pagination import PageRequest, Paginator
from airflow_provider_close.client.ratelimit import RateLimitInfo
from airflow_provider_close.client.resources import endpoint_group, normalize_path
from airflow_provider_close.client.retry import IDEMPOTENT_METHODS, RetryPolicy
from airflow_provider_close.client.throttle import Throttle

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "ClientConfig",
    "ClientCore",
    "Fields",
    "client_config",
    "user_agent",
    "with_fields",
]

logger = logging.getLogger("airflow_provider_close.client")

DEFAULT_BASE_URL = "https://api.close.com/api/v1/"
DEFAULT_TIMEOUT = 30.0

#: ``_fields``: a list of field names or an already comma-joined string.
Fields = Sequence[str] | str | None


def with_fields(params: Mapping[str, Any] | None, fields: Fields) -> dict[str, Any]:
    """Return a copy of ``params`` with ``_fields`` set from ``fields`` when given.

    :param params: query parameters.
    :param fields: field names, a comma-joined string, or ``None``.
    """
    query = dict(params or {})
    if fields is not None:
        query["_fields"] = fields if isinstance(fields, str) else ",".join(fields)
    return query


def user_agent() -> str:
    """Return ``airflow-provider-close/<v> httpx/<v> python/<v>``."""
    return (
        f"airflow-provider-close/{__version__} httpx/{httpx.__version__} "
        f"python/{platform.python_version()}"
    )


@dataclass(frozen=True)
class ClientConfig:
    """Validated client settings.

    :param base_url: API base URL, ending with ``/``.
    :param timeout: seconds for connect/read/write/pool.
    :param retry: retry policy.
    :param auth: the authentication (its repr hides the secret).
    """

    base_url: str
    timeout: float
    retry: RetryPolicy
    auth: CloseAuth

    def httpx_options(self) -> dict[str, Any]:
        """Return the keyword arguments shared by ``httpx.Client`` and ``httpx.AsyncClient``."""
        return {
            "base_url": self.base_url,
            "timeout": httpx.Timeout(self.timeout),
            "auth": self.auth,
            "headers": {"User-Agent": user_agent(), "Accept": "application/json"},
            "follow_redirects": False,
        }


def client_config(
    *,
    api_key: str | None,
    access_token: str | None,
    base_url: str,
    timeout: float,
    retry: RetryPolicy | None,
    auth: CloseAuth | None = None,
) -> ClientConfig:
    """Return validated settings.

    :param api_key: Close API key (exclusive with ``access_token`` and ``auth``).
    :param access_token: OAuth access token (exclusive with the others).
    :param auth: a ready auth such as ``OAuthRefreshAuth`` (exclusive with the others).
    :param base_url: API base URL (``http(s)://host/...``).
    :param timeout: seconds, finite and > 0 (there is no "no timeout").
    :param retry: retry policy, ``None`` for the default.
    :raises CloseConfigError: on any invalid setting.
    """
    checked_auth = auth_for(api_key, access_token, auth)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise CloseConfigError(f"timeout must be a number of seconds, got {timeout!r}")
    if not math.isfinite(timeout) or timeout <= 0:
        raise CloseConfigError(f"timeout must be finite and > 0, got {timeout!r}")
    return ClientConfig(
        _checked_base_url(base_url, checked_auth),
        float(timeout),
        retry or RetryPolicy(),
        checked_auth,
    )


def _checked_base_url(base_url: str, auth: CloseAuth) -> str:
    """Return the base URL with a trailing slash, or raise CloseConfigError.

    The message never quotes credentials: a URL with user info or a query is described, not
    shown (a key pasted into the host would otherwise land in task logs), and the auth's own
    secrets are redacted from what is shown.
    """
    expected = "base_url must be http(s)://host/path"
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise CloseConfigError(f"{expected}; it is not a valid URL") from exc
    if url.userinfo or url.query:
        raise CloseConfigError(f"{expected}, without user info or a query (it has one)")
    if url.scheme not in ("http", "https") or not url.host:
        shown = auth.redactor().text(base_url)
        raise CloseConfigError(f"{expected}, got {shown!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


class ClientCore:
    """The non-I/O half of both clients: config, throttle, stats and request specs.

    :param config: validated settings.
    :param clock: monotonic clock (injectable for tests).
    """

    def __init__(self, config: ClientConfig, clock: Callable[[], float] | None = None) -> None:
        self._config = config
        self._clock = clock or time.monotonic
        self._throttle = Throttle()
        self.stats = ClientStats()
        #: Page maxima Close reported (``max_limit = N``), by list path.
        self.learned_page_sizes: dict[str, int] = {}

    @property
    def base_url(self) -> str:
        """The API base URL."""
        return self._config.base_url

    @property
    def auth(self) -> CloseAuth:
        """The authentication (``auth.secrets()`` lists what must never be shown)."""
        return self._config.auth

    @property
    def last_rate_limit(self) -> RateLimitInfo | None:
        """The last ``RateLimit`` reading seen on any response, if any."""
        return self._throttle.last

    def rate_limit_for(self, method: str, path: str) -> RateLimitInfo | None:
        """The last ``RateLimit`` reading of the endpoint group ``method path`` belongs to.

        A bulk run sizes its writers from the writes' group, not from whatever group answered
        last (searches and writes have budgets of their own).

        :param method: HTTP method.
        :param path: path relative to the base URL (e.g. ``lead/``).
        """
        return self._throttle.reading(endpoint_group(method, normalize_path(path)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self._config.auth!r})"

    __str__ = __repr__

    def _attempt(self, spec: RequestSpec) -> Attempt:
        """Return a fresh attempt state machine for one request."""
        return Attempt(
            spec,
            policy=self._config.retry,
            throttle=self._throttle,
            stats=self.stats,
            clock=self._clock,
            redactor=self._config.auth.redactor,
        )

    @staticmethod
    def _spec(
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        *,
        json: object,
        fields: Fields,
        retry_safe: bool | None,
    ) -> RequestSpec:
        """Return the encoded request (``fields`` -> ``_fields``, dates -> ISO 8601)."""
        if "://" in path:
            raise CloseConfigError("paths are relative to the base URL; absolute URLs refused")
        query = with_fields(params, fields)
        verb = method.upper()
        return RequestSpec(
            method=verb,
            path=normalize_path(path),
            params=encode_params(query) or None,
            content=None if json is None else encode_json(json),
            retry_safe=verb in IDEMPOTENT_METHODS if retry_safe is None else retry_safe,
        )

    def _page_size(self, path: str, page_size: int | None) -> int | None:
        """Return the page size to ask for: the caller's, lowered to what Close taught us."""
        learned = self.learned_page_sizes.get(normalize_path(path))
        if learned is None or page_size is None:
            return page_size or learned
        return min(page_size, learned)

    def _learn_page_size(
        self, pager: Paginator, page: PageRequest, error: CloseMaxLimitError
    ) -> None:
        """Use Close's ``max_limit`` for this list from now on and retry the page, or raise."""
        limit = error.max_limit
        if limit is None or not pager.shrink(limit):
            raise error
        key = normalize_path(page.path)
        if self.learned_page_sizes.get(key) != limit:
            logger.info(
                "Close allows at most %d items per page on %s; using that from now on",
                limit,
                key,
            )
        self.learned_page_sizes[key] = limit

    def _page_spec(self, page: PageRequest) -> RequestSpec:
        """Return the spec of a page request (lists are reads: always safe to repeat)."""
        return self._spec(
            page.method, page.path, page.params, json=page.json, fields=None, retry_safe=True
        )

    @staticmethod
    def _httpx_request_args(spec: RequestSpec) -> dict[str, Any]:
        """Return ``build_request`` arguments for a spec."""
        headers = {"Content-Type": "application/json"} if spec.content is not None else None
        return {
            "method": spec.method,
            "url": spec.path,
            "params": spec.params,
            "content": spec.content,
            "headers": headers,
        }
