"""Where the contract tests send their requests: the sandbox, or the real Close.

``CLOSE_API_KEY`` set: the real Close (``CLOSE_API_URL`` overrides the base URL, e.g. to point
at a sandbox started in another process as a self-test). Unset: the suite's sandbox. Live,
reads are free to go; a write needs ``CLOSE_LIVE_WRITES=1`` (the test is skipped otherwise,
saying so), may only create leads named ``airflow-provider-close contract test <uuid> …``
and objects on those leads, may only change or delete what the test created, and every lead
it created is deleted when the test ends, passed or failed (deleting a lead deletes its
contacts, activities, opportunities and tasks).
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest

if TYPE_CHECKING:
    from airflow_provider_close.sandbox import CloseSandbox

__all__ = ["LIVE", "NAME_PREFIX", "ContractTarget", "live_settings"]

T = TypeVar("T")

LIVE = bool(os.environ.get("CLOSE_API_KEY"))
NAME_PREFIX = "airflow-provider-close contract test"
CLOSE_URL = "https://api.close.com/api/v1/"
#: How long a live test waits for Close's search index to show what it just wrote.
SEARCH_WAIT_SECONDS = 90.0
#: How far a sandbox test moves the sandbox clock for the same (beyond any index lag).
SEARCH_SETTLE_SECONDS = 120.0
_READ_POSTS = ("data/search/",)
#: A well-formed Close id (made-up ones such as ``lead_nope`` are refused by Close anyway).
_CLOSE_ID = re.compile(r"^[a-z]+_[0-9A-Za-z]{20,}$")
_SENDING = ("outbox", "scheduled")
_CREATES_A_LEAD = ("contact", "opportunity")


def live_settings() -> tuple[str, str, bool]:
    """Return the live base URL, key and whether writes are allowed (from the environment)."""
    url = os.environ.get("CLOSE_API_URL") or CLOSE_URL
    return (
        url.rstrip("/") + "/",
        os.environ["CLOSE_API_KEY"],
        os.environ.get("CLOSE_LIVE_WRITES") == "1",
    )


@dataclass
class ContractTarget:
    """One test's view of the API under test.

    :param api_url: base URL ending in ``/api/v1/``.
    :param api_key: the key (HTTP Basic user).
    :param sandbox: the sandbox, or None against the real Close.
    :param writes: live writes are allowed (always True on the sandbox).
    """

    api_url: str
    api_key: str = field(repr=False)  # never in a failure's output
    sandbox: CloseSandbox | None = field(repr=False)
    writes: bool = False
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    created_leads: list[str] = field(default_factory=list)
    created_ids: set[str] = field(default_factory=set)

    @property
    def live(self) -> bool:
        """Whether this is the real Close (or a stand-in for it)."""
        return self.sandbox is None

    def name(self, label: str) -> str:
        """Return a recognisable name for an object this test creates.

        :param label: what the test calls it (kept at the end, so it still matches).
        """
        return f"{NAME_PREFIX} {self.run_id} {label}"

    def client(self, hooks: dict[str, list[Callable[..., Any]]]) -> httpx.Client:
        """Return a plain httpx client on the target, guarded and recorded by ``hooks``.

        :param hooks: httpx event hooks (the recorder's); the write guard is added live.
        """
        request_hooks = [*hooks.get("request", [])]
        response_hooks = [*hooks.get("response", [])]
        if self.live:
            request_hooks.insert(0, self._guard)
            response_hooks.append(self._remember)
        return httpx.Client(
            base_url=self.api_url,
            auth=(self.api_key, ""),
            timeout=30.0,
            event_hooks={"request": request_hooks, "response": response_hooks},
        )

    def until_searchable(self, read: Callable[[], T], ready: Callable[[T], bool]) -> T:
        """Return ``read()`` once Close's search index shows what the test wrote.

        Search trails writes (close-api.md §9b). On the sandbox, the clock moves past any lag
        and ``read`` runs once; live, ``read`` is retried every 2 s for up to 90 s.

        :param read: the search (returns its result).
        :param ready: whether that result already shows the writes.
        """
        if self.sandbox is not None:
            self.sandbox.clock.advance(SEARCH_SETTLE_SECONDS)
            return read()
        deadline = time.monotonic() + SEARCH_WAIT_SECONDS
        result = read()
        while not ready(result) and time.monotonic() < deadline:
            time.sleep(2.0)
            result = read()
        return result

    def cleanup(self) -> list[str]:
        """Delete every lead this test created (live); return what could not be deleted."""
        failures: list[str] = []
        if not self.live:
            return failures
        with httpx.Client(base_url=self.api_url, auth=(self.api_key, ""), timeout=30.0) as c:
            for lead_id in reversed(self.created_leads):
                response = c.delete(f"lead/{lead_id}/")
                if response.status_code not in (200, 404):
                    failures.append(f"{lead_id}: {response.status_code} {response.text[:200]}")
        return failures

    def _guard(self, request: httpx.Request) -> None:
        path = request.url.path.split("/api/v1/", 1)[-1].strip("/")
        if request.method in ("GET", "HEAD") or _is_read_post(request, path):
            return
        if not self.writes:
            pytest.skip(
                "writes to Close: set CLOSE_LIVE_WRITES=1 to let it create and delete its own leads"
            )
        body = _json(request)
        if body is None:
            return  # not JSON: Close cannot apply it
        if body.get("status") in _SENDING:
            pytest.skip(f"live: status {body['status']!r} would make Close send a real message")
        if request.method == "POST" and path == "lead":
            if not str(body.get("name", "")).startswith(f"{NAME_PREFIX} {self.run_id}"):
                pytest.fail(f"live: a created lead must be named by target.name(), got {body}")
            return
        if request.method == "POST" and path in _CREATES_A_LEAD and not body.get("lead_id"):
            pytest.fail(f"live: POST {path} without lead_id would create an unnamed lead")
        touched = {part for part in path.split("/") if _CLOSE_ID.match(part)} | {
            str(body[key])
            for key in ("lead_id", "contact_id")
            if _CLOSE_ID.match(str(body.get(key, "")))
        }
        foreign = touched - self.created_ids
        if foreign:
            pytest.fail(
                f"live: {request.method} {path} touches {sorted(foreign)}, not created here"
            )

    def _remember(self, response: httpx.Response) -> None:
        if response.request.method != "POST" or response.status_code != 200:
            return
        response.read()
        found = response.json() if response.content else {}
        if not isinstance(found, dict) or "id" not in found:
            return
        ids = {str(found["id"])} | {str(c["id"]) for c in found.get("contacts") or []}
        self.created_ids |= ids
        if str(found["id"]).startswith("lead_"):
            self.created_leads.append(str(found["id"]))


def _is_read_post(request: httpx.Request, path: str) -> bool:
    return request.method == "POST" and (
        path + "/" in _READ_POSTS
        or request.headers.get("x-http-method-override", "").upper() == "GET"
    )


def _json(request: httpx.Request) -> dict[str, Any] | None:
    try:
        found = json.loads(request.content or b"{}")
    except ValueError:
        return None
    return found if isinstance(found, dict) else {}
