"""The error tree: status table, Close's bodies, messages, request ids, pickling."""

from __future__ import annotations

import pickle

import pytest

from airflow_provider_close.client import errors as e

MAX_SKIP = (
    "The skip you set is larger than the maximum skip for this resource (max_skip = 250000). "
    "Please refine your search query."
)
NESTED = {
    "errors": [],
    "field-errors": {
        "contacts": {"errors": {"0": {"errors": [], "field-errors": {"phones": "Invalid"}}}}
    },
}


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (
            400,
            {"errors": [], "field-errors": {"lead": "This field is required."}},
            e.CloseValidationError,
        ),
        (400, {"error": MAX_SKIP}, e.CloseMaxSkipError),
        (
            400,
            {"error": "The limit you set is larger than the maximum limit"},
            e.CloseValidationError,
        ),
        (401, {"error": "Unauthorized"}, e.CloseAuthError),
        (402, {}, e.ClosePaymentRequiredError),
        (403, {}, e.ClosePermissionError),
        (404, {"error": "Empty query: Lead matching query does not exist."}, e.CloseNotFoundError),
        (405, {}, e.CloseAPIError),
        (429, {}, e.CloseRateLimitError),
        (500, {"error": "Internal Server Error"}, e.CloseServerError),
        (502, {"raw": "<html>502</html>"}, e.CloseServerError),
        (599, {}, e.CloseServerError),
    ],
)
def test_error_for_status(status: int, body: e.JSONObject, cls: type[e.CloseAPIError]) -> None:
    error = e.error_for_status("GET", "lead/x/", status, body, {"X-Request-Id": "req_abc"})
    assert type(error) is cls
    assert isinstance(error, e.CloseAPIError)
    assert isinstance(error, e.CloseError)
    assert str(error).startswith(f"GET lead/x/: {status} ")
    assert (error.method, error.path, error.status, error.body) == ("GET", "lead/x/", status, body)
    assert error.request_id == "req_abc"
    assert error.headers == {"x-request-id": "req_abc"}


def test_validation_error_exposes_errors_and_nested_field_errors() -> None:
    error = e.error_for_status("POST", "lead/", 400, NESTED, {})
    assert isinstance(error, e.CloseValidationError)
    assert error.errors == []
    assert error.field_errors["contacts"]["errors"]["0"]["field-errors"] == {"phones": "Invalid"}
    assert "field-errors" in str(error)


def test_max_skip_error_parses_max_skip() -> None:
    error = e.error_for_status("GET", "activity/email/", 400, {"error": MAX_SKIP}, {})
    assert isinstance(error, e.CloseMaxSkipError)
    assert error.max_skip == 250000
    assert error.errors == [MAX_SKIP]
    assert error.request_id is None


@pytest.mark.parametrize(
    "error",
    [
        e.error_for_status("GET", "lead/", 400, NESTED, {"x-request-id": "r"}),
        e.error_for_status("GET", "lead/", 400, {"error": MAX_SKIP}, {}),
        e.error_for_status("GET", "lead/", 429, {"error": {"rate_reset": 1}}, {"Retry-After": "1"}),
        e.CloseConfigError("bad"),
        e.ClosePayloadError("call.direction", "sideways", "'inbound' | 'outbound'"),
        e.ClosePaginationLimitError("GET", "lead/", 10),
        e.CloseTransportError("GET", "lead/", "ReadTimeout", "timed out"),
        e.CloseUnknownOutcomeError("POST", "lead/", "RemoteProtocolError"),
        e.CloseUnknownOutcomeError("POST", "lead/", "CloseServerError", 503),
    ],
)
def test_every_error_pickles(error: e.CloseError) -> None:
    clone = pickle.loads(pickle.dumps(error))
    assert type(clone) is type(error)
    assert str(clone) == str(error)
    assert vars(clone) == vars(error)


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Retry-After": "3"}, {}, 3.0),
        ({"RateLimit": "limit=5, remaining=0, reset=1.5"}, {}, 1.5),
        ({}, {"error": {"rate_reset": 2.5}}, 2.5),
        ({}, {}, None),
    ],
)
def test_rate_limit_error_retry_after_survives_pickling(
    headers: dict[str, str], body: e.JSONObject, expected: float | None
) -> None:
    error = e.error_for_status("GET", "lead/", 429, body, headers)
    assert isinstance(error, e.CloseRateLimitError)
    assert error.retry_after == expected
    clone = pickle.loads(pickle.dumps(error))
    assert clone.retry_after == expected


def test_payload_error_is_a_value_error_with_fields() -> None:
    error = e.ClosePayloadError("call.direction", "sideways", "'inbound' | 'outbound'")
    assert isinstance(error, ValueError)
    assert str(error) == "call.direction: got 'sideways'; allowed: 'inbound' | 'outbound'"
    assert (error.field, error.value, error.allowed) == (
        "call.direction",
        "sideways",
        "'inbound' | 'outbound'",
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            e.CloseTransportError("GET", "lead/", "ConnectError", "refused"),
            "GET lead/: transport error ConnectError: refused",
        ),
        (
            e.CloseUnknownOutcomeError("POST", "lead/", "ReadTimeout"),
            "POST lead/: no response (ReadTimeout)",
        ),
        (
            e.CloseUnknownOutcomeError("POST", "lead/", "CloseServerError", 502),
            "POST lead/: 502 (CloseServerError)",
        ),
    ],
)
def test_messages_name_method_path_and_status(error: e.CloseError, expected: str) -> None:
    assert str(error).startswith(expected)


def test_long_bodies_are_cut_in_the_message_but_kept_whole() -> None:
    body = {"error": "x" * 5000}
    error = e.error_for_status("GET", "lead/", 400, body, {})
    assert len(str(error)) < 400
    assert error.body == body
