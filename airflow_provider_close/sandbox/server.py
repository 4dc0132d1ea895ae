"""``CloseSandbox``: the emulated Close API served by uvicorn on a loopback port in a thread.

uvicorn is imported only when a sandbox starts, so importing the package stays cheap.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from airflow_provider_close.sandbox.app import AppParts, RequestLog, RequestRecord, build_app
from airflow_provider_close.sandbox.auth import Credentials
from airflow_provider_close.sandbox.clock import SandboxClock
from airflow_provider_close.sandbox.config import (
    RateLimitBodyStyle,
    RateRule,
    new_access_token,
    new_api_key,
)
from airflow_provider_close.sandbox.control import control_routes
from airflow_provider_close.sandbox.control_index import index_route
from airflow_provider_close.sandbox.faults import Fault, FaultPlan, FaultStatus
from airflow_provider_close.sandbox.oauth import (
    DEFAULT_ACCESS_TOKEN_LIFETIME,
    OAuthDispatcher,
    OAuthServer,
    new_client_id,
    new_client_secret,
    oauth_routes,
)
from airflow_provider_close.sandbox.page_hooks import PageHook, PageHookPlan, PageHookStatus
from airflow_provider_close.sandbox.ratelimit import RateLimiter
from airflow_provider_close.sandbox.uvicorn_thread import ConnectionRegistry, ServerThread

if TYPE_CHECKING:
    from airflow_provider_close.sandbox.limits import PageLimits
    from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["CONFIGURED", "CloseSandbox", "Resources", "load_resources"]


class _Configured(enum.Enum):
    """Marker type for "the value the sandbox was configured with"."""

    VALUE = "configured"


CONFIGURED = _Configured.VALUE


@dataclass(frozen=True)
class Resources:
    """The Close resource layer the server wraps (state, page limits, seeds, routes)."""

    new_state: Callable[[Callable[[], datetime], PageLimits], SandboxState]
    page_limits: Callable[[dict[str, int] | None, dict[str, int] | None], PageLimits]
    seeds: dict[str, Callable[[SandboxState], None]]
    close_routes: Callable[[SandboxState], list[BaseRoute]]
    #: Routes outside ``/api/v1`` serving files (finished exports), without Close auth.
    download_routes: Callable[[SandboxState], list[BaseRoute]] = lambda _state: []


def _checked_lag(seconds: float) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise ValueError(f"search_lag must be a number of seconds >= 0, got {seconds!r}")
    return float(seconds)


def load_resources() -> Resources:
    """Import and return the resource layer (``state``, ``limits``, ``seed``, ``routes``)."""
    from airflow_provider_close.sandbox.limits import PageLimits
    from airflow_provider_close.sandbox.routes import close_routes
    from airflow_provider_close.sandbox.routes.exports import export_download_routes
    from airflow_provider_close.sandbox.seed import seed_demo
    from airflow_provider_close.sandbox.state import SandboxState

    return Resources(
        new_state=lambda now, limits: SandboxState(now=now, limits=limits),
        page_limits=lambda max_limit, max_skip: PageLimits.defaults(
            max_limit=max_limit, max_skip=max_skip
        ),
        seeds={"demo": seed_demo},
        close_routes=close_routes,
        download_routes=export_download_routes,
    )


class CloseSandbox:
    """A stateful emulation of the Close REST API on loopback, used as a context manager.

    ``with CloseSandbox(seed="demo") as sb:`` then point a client at ``sb.api_url`` with
    ``sb.api_key``. See ``COVERAGE.md`` for what is emulated.
    """

    def __init__(
        self,
        *,
        seed: str | None = None,
        api_key: str | None = None,
        api_keys: Iterable[str] = (),
        access_tokens: Iterable[str] = (),
        rate_limits: Mapping[str, tuple[int, float]] | None = None,
        rate_limit_body: RateLimitBodyStyle = "legacy",
        latency_ms: int = 0,
        faults: Iterable[Fault] = (),
        max_skip: dict[str, int] | None = None,
        max_limit: dict[str, int] | None = None,
        search_lag: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        oauth_clients: Mapping[str, str] | None = None,
        access_token_lifetime: float = DEFAULT_ACCESS_TOKEN_LIFETIME,
        revoke_access_on_refresh: bool = True,
    ) -> None:
        """Configure a sandbox (nothing is started until ``start()`` / ``with``).

        :param seed: data to load at start and on ``reset()``: ``"demo"`` or None (empty).
        :param api_key: the main accepted API key (random and Close-shaped if None).
        :param api_keys: extra accepted API keys (each is rate-limited separately).
        :param access_tokens: accepted OAuth Bearer tokens (one more is generated).
        :param rate_limits: group -> ``(limit, window_seconds)``, e.g.
            ``{"default": (20, 1), "lead:write": (5, 1)}``; unset groups allow 1000 per 1 s.
        :param rate_limit_body: 429 body: ``"legacy"`` (Close's old ``error.rate_reset``
            object), ``"error"`` (``{"error": "..."}``) or ``"none"`` (empty).
        :param latency_ms: delay added to every API response.
        :param faults: scripted faults armed at start and on every ``reset()``.
        :param max_skip: per-resource ``_skip`` maxima overriding the defaults.
        :param max_limit: per-resource ``_limit`` maxima overriding the defaults.
        :param search_lag: seconds (of the sandbox clock) before a lead or contact write is
            seen by ``/data/search/`` and ``GET /lead/?query=`` (reads by id and plain lists
            see it at once), as Close's search index trails writes (close-api.md §9b).
        :param host: the interface to bind (loopback by default).
        :param port: the port to bind (0 picks a free one).
        :param oauth_clients: OAuth apps, client id -> secret (one random app if None; its
            credentials are ``oauth_client_id``/``oauth_client_secret``).
        :param access_token_lifetime: ``expires_in`` (sandbox seconds) of the access tokens the
            token endpoint ``/oauth2/token/`` issues.
        :param revoke_access_on_refresh: a refresh also revokes the previous access token.
        """
        self._resources = load_resources()
        self._check_seed(seed)
        self._seed = seed
        self._max_skip, self._max_limit = max_skip, max_limit
        self._host, self._port = host, port
        self.api_key = api_key or new_api_key()
        self.access_token = new_access_token()
        self.clock = SandboxClock()
        if oauth_clients is None:
            oauth_clients = {new_client_id(): new_client_secret()}
        self.oauth_client_id, self.oauth_client_secret = next(iter(oauth_clients.items()))
        self.oauth = OAuthServer(
            now=self.clock.now,
            clients=oauth_clients,
            access_token_lifetime=access_token_lifetime,
            revoke_access_on_refresh=revoke_access_on_refresh,
            identity=self._identity,
        )
        self.credentials = Credentials(
            [self.api_key, *api_keys],
            [self.access_token, *access_tokens],
            self.oauth.is_live_access_token,
        )
        self.state = self._resources.new_state(self.clock.now, self._configured_page_limits())
        self._rate_rules = {group: RateRule(*rule) for group, rule in (rate_limits or {}).items()}
        self._latency_configured = self._latency = latency_ms
        self._search_lag_configured = _checked_lag(search_lag)
        self.state.search_index.lag_seconds = self._search_lag_configured
        self._faults_configured = list(faults)
        self._limiter = RateLimiter(self._rate_rules, body_style=rate_limit_body)
        self._fault_plan = FaultPlan(self._faults_configured)
        self._page_hooks = PageHookPlan()
        self._request_log = RequestLog()
        self._epoch = 0
        self._registry = ConnectionRegistry()
        self._server: ServerThread | None = None
        self._load_seed(seed)

    @property
    def seed(self) -> str | None:
        """Return the seed loaded at start and by a plain ``reset()``."""
        return self._seed

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> CloseSandbox:
        """Start serving (returns once the port accepts connections)."""
        if self._server is not None:
            raise RuntimeError("the Close sandbox is already running")
        server = ServerThread(self._build_app(), self._registry)
        self._port = server.start(self._host, self._port)
        self._server = server
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        self._epoch += 1
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> CloseSandbox:
        """Start the sandbox."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the sandbox."""
        self.stop()

    # addresses ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Return the host root, e.g. ``http://127.0.0.1:PORT`` (the API is under /api/v1/)."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def api_url(self) -> str:
        """Return the API base URL, e.g. ``http://127.0.0.1:PORT/api/v1/``."""
        return f"{self.url}/api/v1/"

    # inspection and control --------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """Return a copy of the API requests seen since the last reset, oldest first."""
        return self._request_log.records()

    def reset(self, seed: str | _Configured | None = CONFIGURED) -> None:
        """Wipe state and traffic settings back to how the sandbox was configured.

        :param seed: data to load afterwards: ``"demo"``, None for an empty organisation, or
            (the default) the seed the sandbox was created with.
        """
        seed = self.seed if isinstance(seed, _Configured) else seed
        self._check_seed(seed)
        self._epoch += 1
        self.clock.reset()
        self.state.reset()
        self.state.limits = self._configured_page_limits()
        self._fault_plan.replace(self._faults_configured)
        self._page_hooks.clear()
        self._limiter.reset(self._rate_rules)
        self._latency = self._latency_configured
        self.state.search_index.lag_seconds = self._search_lag_configured
        self._request_log.clear()
        self.oauth.reset()
        self._load_seed(seed)

    @property
    def faults(self) -> list[FaultStatus]:
        """Return the armed faults as JSON, each with its ``seen`` and ``fired`` counters."""
        return self._fault_plan.describe()

    def add_fault(self, fault: Fault) -> None:
        """Arm one more fault (after those already armed) until the next reset.

        :param fault: the fault.
        """
        self._fault_plan.add(fault)

    def clear_faults(self) -> None:
        """Disarm every fault until the next reset."""
        self._fault_plan.replace([])

    @property
    def page_hooks(self) -> list[PageHookStatus]:
        """Return the armed mid-walk page hooks as JSON (``seen``, ``fired``, ``results``)."""
        return self._page_hooks.describe()

    def add_page_hook(self, hook: PageHook) -> None:
        """Change data between two pages of a list until the next reset (see ``page_hooks``).

        :param hook: what to change after which page of which list.
        """
        self._page_hooks.add(hook)

    def clear_page_hooks(self) -> None:
        """Disarm every page hook until the next reset."""
        self._page_hooks.clear()

    @property
    def rate_limits(self) -> dict[str, RateRule]:
        """Return the rate-limit rules in force, by group."""
        return self._limiter.rules()

    def set_rate_limit(self, group: str, limit: int, window_seconds: float) -> None:
        """Set one group's rate limit until the next reset (restarts the counting windows).

        :param group: ``"default"`` or ``"<resource>:<read|write>"``, e.g. ``"lead:write"``.
        :param limit: requests allowed per key and window (the org gets 3x).
        :param window_seconds: the window length.
        """
        if limit < 1 or not 0 < window_seconds < float("inf"):
            raise ValueError("a rate limit needs limit >= 1 and window_seconds > 0")
        self._limiter.set_rule(group, RateRule(limit, window_seconds))

    @property
    def latency_ms(self) -> int:
        """Return the delay added to every API response."""
        return self._latency

    def set_latency(self, ms: int) -> None:
        """Add ``ms`` milliseconds to every API response until the next reset.

        :param ms: the delay (0 for none).
        """
        if ms < 0:
            raise ValueError("latency cannot be negative")
        self._latency = ms

    @property
    def search_lag(self) -> float:
        """Return the seconds a lead or contact write takes to reach search."""
        return self.state.search_index.lag_seconds

    def set_search_lag(self, seconds: float) -> None:
        """Delay search's view of later lead and contact writes by ``seconds`` until reset.

        Writes already made keep the lag they were made under.

        :param seconds: the lag on the sandbox clock (0: search sees writes at once).
        """
        self.state.search_index.lag_seconds = _checked_lag(seconds)

    def set_limits(
        self, max_limit: dict[str, int] | None = None, max_skip: dict[str, int] | None = None
    ) -> None:
        """Replace the page-size and skip maxima (per resource) until the next reset.

        :param max_limit: per-resource ``_limit`` maxima overriding the defaults.
        :param max_skip: per-resource ``_skip`` maxima overriding the defaults.
        """
        self.state.limits = self._resources.page_limits(max_limit, max_skip)

    def issue_oauth_tokens(self, client_id: str | None = None) -> dict[str, object]:
        """Return a fresh token grant, as if a user had just authorised the OAuth app.

        :param client_id: the app (default: ``oauth_client_id``).
        """
        return self.oauth.issue(client_id or self.oauth_client_id)

    # internals ---------------------------------------------------------------------------
    def _identity(self) -> tuple[str, str]:
        """Return ``(organization_id, user_id)`` of the sandboxed user."""
        organization = getattr(self.state, "organization", None) or {}
        me = getattr(self.state, "me", None) or {}
        return str(organization.get("id", "")), str(me.get("id", ""))

    def _configured_page_limits(self) -> PageLimits:
        return self._resources.page_limits(self._max_limit, self._max_skip)

    def _check_seed(self, seed: str | None) -> None:
        if seed is not None and seed not in self._resources.seeds:
            known = ", ".join(sorted(self._resources.seeds))
            raise ValueError(f"unknown sandbox seed {seed!r} (known: {known})")

    def _load_seed(self, seed: str | None) -> None:
        if seed is not None:
            self._resources.seeds[seed](self.state)
            self.state.search_index.clear()  # seeded data is old: already indexed

    def _build_app(self) -> ASGIApp:
        parts = AppParts(
            close_routes=self._resources.close_routes(self.state),
            credentials=self.credentials,
            request_log=self._request_log,
            limiter=self._limiter,
            faults=self._fault_plan,
            latency_ms=lambda: self._latency,
            drop_connection=self._registry.drop,
            epoch=lambda: self._epoch,
            control_routes=[*self._control_routes(), *self._resources.download_routes(self.state)],
            page_hooks=self._page_hooks,
        )
        oauth_app = Starlette(routes=list(oauth_routes(self.oauth)))
        return OAuthDispatcher(build_app(parts), oauth_app)

    def _control_routes(self) -> list[BaseRoute]:
        """Return the ``/_sandbox/`` routes: the controls and their index."""
        controls = control_routes(self)
        return [index_route(controls), *controls]
