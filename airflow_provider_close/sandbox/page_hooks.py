"""Mid-walk mutations: change the data between two pages of a list, as Close's users do.

Close is live while a pipeline reads it: reps and automations create, update and delete
records between the pages of a walk (close-api.md §9b). A :class:`PageHook` reproduces that
deterministically: once the ``page``-th matching list page has been *served* (a 2xx answer to
a request whose method and path match), its mutations run, and only then is that page sent to
the client, so the next page is always read from the changed data.

Two forms:

* declarative (in-process and over ``POST /_sandbox/page_hooks``): ``mutations``, each
  ``{"op": "create" | "update" | "delete", "path": "/lead/…/", "body": {...}}``, applied as
  ``POST`` / ``PUT`` / ``DELETE`` on Close's routes inside the sandbox (no auth, faults or rate
  limits; events are logged as for any write). Their statuses are reported in ``results``.
* a callable ``action`` (in-process ``CloseSandbox`` users only), run in a worker thread, so it
  may itself call the sandbox over HTTP; list requests it makes count as pages too.

A hook fires once. Hooks are cleared by ``reset()``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import fnmatch
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, cast, get_args

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from airflow_provider_close.sandbox.config import API_PREFIX, api_path

__all__ = [
    "MUTATION_OPS",
    "MidWalkMiddleware",
    "Mutation",
    "MutationOp",
    "PageHook",
    "PageHookPlan",
    "PageHookStatus",
]

MutationOp = Literal["create", "update", "delete"]
MUTATION_OPS: tuple[str, ...] = get_args(MutationOp)
_OP_METHODS: Mapping[str, str] = {"create": "POST", "update": "PUT", "delete": "DELETE"}


class PageHookStatus(TypedDict):
    """A page hook as JSON: its settings, pages seen, whether it fired, mutation statuses."""

    method: str
    path: str
    page: int
    mutations: list[dict[str, Any]]
    action: bool
    seen: int
    fired: bool
    results: list[int]


@dataclass(frozen=True)
class Mutation:
    """One declarative change.

    :param op: ``create`` (POST), ``update`` (PUT) or ``delete`` (DELETE).
    :param path: Close path under ``/api/v1``: a list for ``create`` (``/lead/``), an object
        for ``update``/``delete`` (``/lead/lead_…/``).
    :param body: the JSON body of a create or update.
    """

    op: MutationOp
    path: str
    body: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        """Refuse unknown operations and paths outside the API."""
        if self.op not in MUTATION_OPS:
            raise ValueError(f"mutation op must be one of {', '.join(MUTATION_OPS)}")
        if not self.path.startswith("/"):
            raise ValueError(f"mutation path must start with '/', got {self.path!r}")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Mutation:
        """Build a mutation from ``{"op", "path", "body"?}``, refusing unknown fields.

        :param data: the JSON object.
        """
        unknown = sorted(set(data) - {"op", "path", "body"})
        if unknown:
            raise ValueError(f"unknown mutation fields: {', '.join(unknown)}")
        return cls(data["op"], str(data["path"]), data.get("body"))


@dataclass(frozen=True)
class PageHook:
    """Run mutations once the ``page``-th matching list page has been served.

    :param path: glob on the path under ``/api/v1`` (``"/lead/"``, ``"/activity/*"``).
    :param method: the list's method (``GET``; ``POST`` for ``/data/search/``).
    :param page: fire after this many matching 2xx pages (1 = after the first page).
    :param mutations: declarative changes, applied in order.
    :param action: a callable run in a worker thread after the mutations (in-process only).
    """

    path: str
    method: str = "GET"
    page: int = 1
    mutations: tuple[Mutation, ...] = ()
    action: Callable[[], None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        """Normalise the method and refuse hooks that could never fire or do nothing."""
        object.__setattr__(self, "method", self.method.upper())
        object.__setattr__(self, "mutations", tuple(self.mutations))
        if self.page < 1:
            raise ValueError("page must be >= 1")
        if not self.mutations and self.action is None:
            raise ValueError("a page hook needs mutations or an action")

    def matches(self, method: str, path: str) -> bool:
        """Return whether a request is one of the hook's list pages.

        :param method: the HTTP method.
        :param path: the path under ``/api/v1``.
        """
        return self.method == method.upper() and fnmatch.fnmatchcase(path, self.path)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PageHook:
        """Build a declarative hook from JSON (``path``, ``method``, ``page``, ``mutations``).

        :param data: the JSON object.
        """
        unknown = sorted(set(data) - {"path", "method", "page", "mutations"})
        if unknown:
            raise ValueError(f"unknown page hook fields: {', '.join(unknown)}")
        mutations = data.get("mutations") or []
        if not isinstance(mutations, list):
            raise ValueError("mutations must be a list")
        return cls(
            path=str(data["path"]),
            method=str(data.get("method", "GET")),
            page=int(data.get("page", 1)),
            mutations=tuple(Mutation.from_json(item) for item in mutations),
        )


class _ArmedHook:
    def __init__(self, hook: PageHook) -> None:
        self.hook = hook
        self.seen = 0
        self.fired = False
        self.results: list[int] = []


class PageHookPlan:
    """The thread-safe list of armed page hooks."""

    def __init__(self) -> None:
        """Start with no hooks."""
        self._lock = threading.Lock()
        self._armed: list[_ArmedHook] = []

    def add(self, hook: PageHook) -> None:
        """Arm a hook.

        :param hook: the hook.
        """
        with self._lock:
            self._armed.append(_ArmedHook(hook))

    def clear(self) -> None:
        """Disarm every hook."""
        with self._lock:
            self._armed = []

    def wants(self, method: str, path: str) -> bool:
        """Return whether some unfired hook watches this request.

        :param method: the HTTP method.
        :param path: the path under ``/api/v1``.
        """
        with self._lock:
            return any(not a.fired and a.hook.matches(method, path) for a in self._armed)

    def served(self, method: str, path: str) -> list[_ArmedHook]:
        """Count one served page and return the hooks that fire on it (marked fired).

        :param method: the HTTP method.
        :param path: the path under ``/api/v1``.
        """
        firing: list[_ArmedHook] = []
        with self._lock:
            for armed in self._armed:
                if armed.fired or not armed.hook.matches(method, path):
                    continue
                armed.seen += 1
                if armed.seen >= armed.hook.page:
                    armed.fired = True
                    firing.append(armed)
        return firing

    def describe(self) -> list[PageHookStatus]:
        """Return each hook as JSON with ``seen``, ``fired`` and the mutations' ``results``."""
        with self._lock:
            return [_status(armed) for armed in self._armed]


def _status(armed: _ArmedHook) -> PageHookStatus:
    hook = armed.hook
    return cast(
        PageHookStatus,
        {
            "method": hook.method,
            "path": hook.path,
            "page": hook.page,
            "mutations": [dataclasses.asdict(m) for m in hook.mutations],
            "action": hook.action is not None,
            "seen": armed.seen,
            "fired": armed.fired,
            "results": list(armed.results),
        },
    )


class MidWalkMiddleware:
    """Pure-ASGI middleware around Close's routes that runs page hooks between pages."""

    def __init__(self, app: ASGIApp, plan: PageHookPlan) -> None:
        """Wrap ``app`` (the routes; mutations are applied to it directly).

        :param app: Close's routes.
        :param plan: the armed hooks.
        """
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request; if it is a hooked page, mutate before sending the page.

        :param scope: the ASGI scope.
        :param receive: the ASGI receive callable.
        :param send: the ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = str(scope["method"]), api_path(scope)
        if not self.plan.wants(method, path):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        if 200 <= _status_of(held) < 300:
            for armed in self.plan.served(method, path):
                await self._fire(armed)
        for message in held:
            await send(message)

    async def _fire(self, armed: _ArmedHook) -> None:
        for mutation in armed.hook.mutations:
            armed.results.append(await _apply(self.app, mutation))
        if armed.hook.action is not None:
            await asyncio.to_thread(armed.hook.action)


def _status_of(messages: Iterable[Message]) -> int:
    for message in messages:
        if message["type"] == "http.response.start":
            return int(message["status"])
    return 0


async def _apply(app: ASGIApp, mutation: Mutation) -> int:
    """Send one mutation to Close's routes in-process; return the status it got."""
    body = b"" if mutation.body is None else json.dumps(mutation.body).encode()
    path = API_PREFIX + mutation.path
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": _OP_METHODS[mutation.op],
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"host", b"sandbox")],
        "server": ("sandbox", 80),
        "client": ("127.0.0.1", 0),
    }
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    messages: list[Message] = []

    async def collect(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, collect)
    return _status_of(messages)
