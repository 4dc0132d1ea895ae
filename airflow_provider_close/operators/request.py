"""A generic operator for any Close endpoint the dedicated operators do not cover."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, get_args

from airflow.sdk import Context

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.operators._base import CloseBaseOperator

__all__ = ["HTTP_METHODS", "CloseRequestOperator", "HttpMethod", "check_endpoint"]

HttpMethod = Literal["GET", "POST", "PUT", "DELETE"]
HTTP_METHODS: Final[tuple[HttpMethod, ...]] = get_args(HttpMethod)
_ENDPOINT = re.compile(r"/?[A-Za-z0-9_]+(/[A-Za-z0-9_.\-]+)*/?")


def check_endpoint(endpoint: object) -> str:
    """Return the endpoint if it is a relative Close API path, else raise ``ClosePayloadError``.

    Absolute URLs, ``..`` and query strings are refused, so the API key can only ever be sent
    to the connection's Close host, and parameters go through ``query``.

    :param endpoint: e.g. ``"pipeline/"`` or ``"/lead/lead_…/"``.
    """
    text = endpoint.strip() if isinstance(endpoint, str) else ""
    if not _ENDPOINT.fullmatch(text) or ".." in text:
        allowed = "a path relative to /api/v1/, e.g. 'pipeline/' (no URL, '..' or '?')"
        raise ClosePayloadError("request.endpoint", endpoint, allowed)
    return text


class CloseRequestOperator(CloseBaseOperator):
    """Send one request to any Close endpoint; XCom gets Close's JSON response body.

    Retries, rate limits and errors are handled by the client as for every operator; a
    ``POST`` whose outcome is unknown is not re-sent (it raises).

    :param method: ``GET``, ``POST``, ``PUT`` or ``DELETE`` (templated).
    :param endpoint: path relative to ``/api/v1/``, e.g. ``"pipeline/"`` (templated).
    :param query: query parameters (templated).
    :param body: JSON body for ``POST``/``PUT`` (templated).
    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("method", "endpoint", "query", "body", "close_conn_id")

    def __init__(
        self,
        *,
        method: HttpMethod,
        endpoint: str,
        query: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | Sequence[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.method = method
        self.endpoint = endpoint
        self.query = query
        self.body = body

    def execute(self, context: Context) -> dict[str, Any]:  # noqa: ARG002
        """Send the request; return the decoded JSON body (``{}`` when empty)."""
        from airflow_provider_close.client.payloads.enums import check_choice

        method = check_choice("request.method", str(self.method).upper(), HTTP_METHODS)
        endpoint = check_endpoint(self.endpoint)
        if self.query is not None and not isinstance(self.query, Mapping):
            raise ClosePayloadError("request.query", self.query, "a dict of query parameters")
        if self.body is not None and method in ("GET", "DELETE"):
            raise ClosePayloadError("request.body", self.body, f"None for {method}")
        return self.hook.request(method, endpoint, params=self.query, json=self.body)
