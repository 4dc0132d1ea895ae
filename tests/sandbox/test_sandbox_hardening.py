"""The sandbox cannot be driven by a web page, and answers no bad input with a 500.

Over real HTTP on loopback: the ``/_sandbox/`` guard (loopback ``Host``, own ``Origin``, JSON
writes), the body limits (413; 400 in Close's shape for ``NaN``, huge numbers, deep nesting),
and the type errors Close refuses; then every Close route is probed with bad bodies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.datastructures import Headers
from starlette.routing import Route

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.body_limits import MAX_BODY_BYTES, MAX_JSON_DEPTH
from airflow_provider_close.sandbox.control_guard import control_refusal, is_loopback_host
from airflow_provider_close.sandbox.routes import close_routes

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def raw(sandbox: CloseSandbox) -> Iterator[httpx.Client]:
    """A client that sends exactly the headers a test gives (httpx adds Host itself)."""
    with httpx.Client(base_url=sandbox.url) as client:
        yield client


def _host(sandbox: CloseSandbox) -> str:
    return sandbox.url.removeprefix("http://")


# -- the control guard ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1:8765", True),
        ("127.9.9.9", True),
        ("localhost:1", True),
        ("LOCALHOST.", True),
        ("app.localhost:8765", True),
        ("[::1]:8765", True),
        ("::1", True),
        ("attacker.example:8765", False),
        ("localhost.attacker.example", False),
        ("10.0.0.5:8765", False),
        ("[::ffff:10.0.0.5]", False),
        ("", False),
    ],
)
def test_loopback_host_names(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


@pytest.mark.parametrize(
    ("method", "headers", "status"),
    [
        ("GET", {"host": "127.0.0.1:9"}, None),
        ("GET", {"host": "127.0.0.1:9", "origin": "http://127.0.0.1:9"}, None),
        ("GET", {"host": "evil.example:9"}, 403),
        ("GET", {"host": "127.0.0.1:9", "origin": "http://evil.example"}, 403),
        ("GET", {"host": "127.0.0.1:9", "origin": "null"}, 403),
        ("POST", {"host": "127.0.0.1:9", "content-type": "application/json"}, None),
        ("POST", {"host": "127.0.0.1:9", "content-type": "Application/JSON; charset=utf-8"}, None),
        ("POST", {"host": "127.0.0.1:9", "content-type": "text/plain"}, 415),
        ("POST", {"host": "127.0.0.1:9"}, 415),
        ("DELETE", {"host": "127.0.0.1:9", "content-type": "multipart/form-data"}, 415),
    ],
)
def test_control_refusal_table(method: str, headers: dict[str, str], status: int | None) -> None:
    refusal = control_refusal(method, Headers(headers))
    assert (refusal[0] if refusal else None) == status


def test_a_cross_site_simple_post_cannot_reset_the_sandbox(
    sandbox: CloseSandbox, raw: httpx.Client
) -> None:
    sandbox.set_latency(5)
    page = {"Content-Type": "text/plain", "Origin": "http://evil.example"}
    refused = raw.post("/_sandbox/reset", content=b'{"seed": null}', headers=page)
    assert refused.status_code == 403
    assert "cross-origin" in refused.json()["error"]
    untyped = raw.post("/_sandbox/reset", content=b'{"seed": null}', headers={"Content-Type": ""})
    assert untyped.status_code == 415
    assert "Content-Type: application/json" in untyped.json()["error"]
    assert sandbox.latency_ms == 5  # nothing was reset
    assert raw.post("/_sandbox/reset", json={}).status_code == 200
    assert sandbox.latency_ms == 0


@pytest.mark.parametrize(
    "path", ["/_sandbox/requests", "/_sandbox/faults", "/_sandbox/", "/_sandbox/x"]
)
def test_a_rebound_host_name_reads_nothing(raw: httpx.Client, path: str) -> None:
    response = raw.get(path, headers={"Host": "attacker.example:8765"})
    assert response.status_code == 403
    assert "loopback Host" in response.json()["error"]


def test_the_sandboxs_own_origin_and_loopback_names_are_served(
    sandbox: CloseSandbox, raw: httpx.Client
) -> None:
    own = {"Origin": sandbox.url}
    assert raw.get("/_sandbox/faults", headers=own).status_code == 200
    port = sandbox.url.rsplit(":", 1)[1]
    assert raw.get("/_sandbox/faults", headers={"Host": f"localhost:{port}"}).status_code == 200
    assert (
        raw.post("/_sandbox/faults", json={"kind": "server_error"}, headers=own).status_code == 200
    )


# -- body limits and strict JSON ------------------------------------------------------------


def _api(
    sandbox: CloseSandbox, raw: httpx.Client, body: bytes, path: str = "lead/"
) -> httpx.Response:
    return raw.post(f"/api/v1/{path}", content=body, headers=JSON, auth=(sandbox.api_key, ""))


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": NaN}',
        b'{"name": "x", "custom.cf_x": Infinity}',
        b'{"name": -Infinity}',
        b'{"name": "x", "n": 1e999}',
        b'{"name": "x", "n": 18446744073709551616}',
        b'{"name": "x", "n": ' + b"9" * 5000 + b"}",
        b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"name": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}",
        b"\xff\xfe not utf-8",
    ],
    ids=[
        "nan",
        "infinity",
        "-infinity",
        "1e999",
        "2**64",
        "5000-digits",
        "deep",
        "depth+1",
        "bytes",
    ],
)
@pytest.mark.parametrize("route", ["api", "control"])
def test_bad_json_is_a_400_in_closes_shape(
    sandbox: CloseSandbox, raw: httpx.Client, body: bytes, route: str
) -> None:
    if route == "api":
        response = _api(sandbox, raw, body)
    else:
        response = raw.post("/_sandbox/limits", content=body, headers=JSON)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith("The request contains invalid JSON.") or "bad control" in error
    assert sandbox.state.leads == {}


def test_json_at_the_depth_limit_is_parsed(sandbox: CloseSandbox, raw: httpx.Client) -> None:
    depth = MAX_JSON_DEPTH - 1
    nested = b"[" * depth + b"]" * depth
    response = _api(sandbox, raw, b'{"name": "ok", "description": ' + nested + b"}")
    assert response.status_code == 400
    assert response.json()["field-errors"] == {"description": "Not a valid string."}


@pytest.mark.parametrize("route", ["/api/v1/lead/", "/_sandbox/limits"])
@pytest.mark.parametrize("declared", [True, False])
def test_a_body_over_the_limit_is_a_413(
    sandbox: CloseSandbox, raw: httpx.Client, route: str, declared: bool
) -> None:
    big = json.dumps({"name": "x" * (MAX_BODY_BYTES + 1)}).encode()
    content = big if declared else iter([big[: len(big) // 2], big[len(big) // 2 :]])
    response = raw.post(route, content=content, headers=JSON, auth=(sandbox.api_key, ""))
    assert response.status_code == 413
    assert "too large" in response.json()["error"]
    assert sandbox.state.leads == {}


def test_a_body_just_under_the_limit_is_read(sandbox: CloseSandbox, raw: httpx.Client) -> None:
    body = json.dumps({"name": "n", "description": "d" * (MAX_BODY_BYTES - 100)}).encode()
    assert len(body) <= MAX_BODY_BYTES
    assert _api(sandbox, raw, body).status_code == 200


# -- type errors Close refuses --------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        ("lead/", {"name": {"first": "A"}}, "name", "Not a valid string."),
        ("lead/", {"name": "A\x00B"}, "name", "Null characters are not allowed."),
        ("lead/", {"name": "A", "description": ["x"]}, "description", "Not a valid string."),
        ("contact/", {"name": 5}, "name", "Not a valid string."),
        ("contact/", {"name": "A", "title": {"t": 1}}, "title", "Not a valid string."),
    ],
)
def test_wrong_typed_texts_are_field_errors(  # noqa: PLR0917
    seeded_sandbox: CloseSandbox,
    raw: httpx.Client,
    path: str,
    body: dict[str, object],
    field: str,
    message: str,
) -> None:
    if path == "contact/":
        body = {**body, "lead_id": next(iter(seeded_sandbox.state.leads))}
    before = len(seeded_sandbox.state.leads) + len(seeded_sandbox.state.contacts)
    response = _api(seeded_sandbox, raw, json.dumps(body).encode(), path)
    assert response.status_code == 400
    assert response.json()["field-errors"][field] == message
    assert len(seeded_sandbox.state.leads) + len(seeded_sandbox.state.contacts) == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("limits", {"max_limit": {"lead": -1}}),
        ("limits", {"max_limit": {"lead": 0}}),
        ("limits", {"max_limit": {"lead": "200"}}),
        ("limits", {"max_skip": {"lead": -5}}),
        ("limits", {"max_limit": [1]}),
        ("rate_limits", {"group": "lead:write", "limit": 1, "window_seconds": "nan"}),
        ("rate_limits", {"group": "lead:write", "limit": 1, "window_seconds": "inf"}),
        ("clock", {"advance": 1e300}),
        ("latency", {"ms": "soon"}),
    ],
)
def test_bad_control_values_are_400s(
    sandbox: CloseSandbox, raw: httpx.Client, path: str, body: dict[str, object]
) -> None:
    response = raw.post(f"/_sandbox/{path}", json=body)
    assert response.status_code == 400, response.text
    assert "bad control request" in response.json()["error"]
    assert sandbox.state.limits.max_limit["lead"] == 200


# -- no route answers 500 to bad input --------------------------------------------------------

_WRONG_TYPES = {"a": {"b": 1}}
_FIELDS = [
    "name",
    "description",
    "url",
    "status",
    "status_id",
    "contacts",
    "addresses",
    "lead_id",
    "contact_id",
    "user_id",
    "text",
    "note",
    "note_html",
    "title",
    "pinned",
    "direction",
    "status",
    "duration",
    "phone",
    "date",
    "assigned_to",
    "is_complete",
    "value",
    "value_period",
    "confidence",
    "date_won",
    "subject",
    "body_text",
    "body_html",
    "to",
    "cc",
    "sender",
    "template_id",
    "local_phone",
    "remote_phone",
    "attachments",
    "query",
    "_limit",
    "cursor",
    "sort",
    "_fields",
    "results_limit",
    "emails",
    "phones",
    "urls",
    "type",
    "choices",
    "source",
    "destination",
]


_ACTIVITY_TYPES = {
    "call": "Call",
    "email": "Email",
    "meeting": "Meeting",
    "note": "Note",
    "sms": "SMS",
    "custom": "CustomActivity",
}


def _existing_id(sandbox: CloseSandbox, template: str) -> str:
    """Return an id of an existing object for the path parameter of ``template``."""
    state = sandbox.state
    parts = template.strip("/").split("/")
    if "{" not in template:
        return ""
    if "{activity_id}" in template:
        kind = _ACTIVITY_TYPES[parts[1]]
        return next((a["id"] for a in state.activities.values() if a["_type"] == kind), "acti_none")
    if "{field_id}" in template:
        return next(iter(state.custom_fields[parts[1]]), "cf_none")
    stores = {"lead": state.leads, "contact": state.contacts, "task": state.tasks}
    stores |= {"opportunity": state.opportunities, "user": state.users, "event": {}}
    stores |= {"export": state.exports, "custom_object": state.custom_objects}
    stores |= {"custom_activity": state.custom_activity_types}
    stores |= {"custom_object_type": state.custom_object_types}
    stores |= {"bulk_action": state.bulk_edits, "sequence": state.sequences}
    stores |= {"sequence_subscription": state.sequence_subscriptions}
    return next(iter(stores[parts[0]]), "ev_none")


def _paths(sandbox: CloseSandbox) -> list[str]:
    """Every Close route of the sandbox, with path parameters naming existing objects."""
    templates = {
        route.path
        for route in close_routes(sandbox.state)
        if isinstance(route, Route) and route.path.endswith("/")
    }
    return sorted(re.sub(r"\{[^}]+\}", _existing_id(sandbox, path), path) for path in templates)


BAD_BODIES = [
    b"[1, 2]",
    b'"text"',
    b"null",
    json.dumps({field: _WRONG_TYPES for field in _FIELDS}).encode(),
    json.dumps({field: [[]] for field in _FIELDS}).encode(),
    json.dumps({field: 10**18 for field in _FIELDS}).encode(),
    json.dumps({field: -1.5 for field in _FIELDS}).encode(),
    json.dumps({field: True for field in _FIELDS}).encode(),
]


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_no_route_answers_500_to_bad_bodies(
    seeded_sandbox: CloseSandbox, raw: httpx.Client, method: str
) -> None:
    failures = []
    for path in _paths(seeded_sandbox):
        for body in BAD_BODIES:
            try:
                status = raw.request(
                    method,
                    "/api/v1" + path,
                    content=body,
                    headers=JSON,
                    auth=(seeded_sandbox.api_key, ""),
                ).status_code
            except httpx.TransportError as error:  # a crashed handler drops the connection
                status = type(error).__name__
            if status == 500 or isinstance(status, str):
                failures.append((method, path, body[:60], status))
    assert failures == []


@pytest.mark.parametrize(
    "extra",
    [
        {"sort": [1]},
        {"sort": [{"direction": "asc", "field": "name"}]},
        {"_fields": ["lead"]},
        {"_fields": "id"},
        {"results_limit": "10"},
        {"results_limit": -1},
    ],
)
def test_malformed_search_options_are_400s(
    seeded_sandbox: CloseSandbox, raw: httpx.Client, extra: dict[str, object]
) -> None:
    body = json.dumps({"query": {"type": "match_all"}, **extra}).encode()
    response = _api(seeded_sandbox, raw, body, "data/search/")
    assert response.status_code == 400
    assert "error" in response.json()
