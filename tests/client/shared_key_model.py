"""A discrete-event model of several clients sharing one key, on an injected clock.

Each client is the real :class:`Attempt` machine over its own real :class:`Throttle`; Close is
the sandbox's real :class:`RateLimiter` (fixed windows per key, started by the first request
after the last one ended). Requests take ``latency`` seconds to reach it; answers come back
at once (the sandbox adds its latency before counting). Nothing sleeps.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from airflow_provider_close.client.attempt import Attempt, Done, Send, Step, Wait
from airflow_provider_close.client.retry import RetryPolicy
from airflow_provider_close.client.steps import ClientStats, RequestSpec
from airflow_provider_close.client.throttle import Throttle
from airflow_provider_close.sandbox.config import RateRule
from airflow_provider_close.sandbox.ratelimit import RateLimiter, rate_limit_header

_GROUP = "lead:write"


@dataclass
class SharedKeyRun:
    """What the clients achieved: writes done per client, 429s, requests."""

    done: list[int]
    rate_limited: int
    requests: int
    budget: float

    @property
    def fraction(self) -> float:
        """Writes done over the key's budget for the run."""
        return sum(self.done) / self.budget

    @property
    def share_429(self) -> float:
        """429 answers over all requests."""
        return self.rate_limited / max(1, self.requests)


def run_shared_key(
    clients: int,
    *,
    workers: int = 8,
    limit: int = 20,
    window: float = 1.0,
    latency: float = 0.05,
    seconds: float = 30.0,
    throttle: Callable[[], Throttle] = Throttle,
) -> SharedKeyRun:
    """Return what ``clients`` clients of ``workers`` workers each wrote in ``seconds``."""
    now = [0.0]
    events: list[tuple[float, int, Callable[[], None]]] = []
    order = [0]

    def at(moment: float, action: Callable[[], None]) -> None:
        order[0] += 1
        heapq.heappush(events, (moment, order[0], action))

    limiter = RateLimiter({_GROUP: RateRule(limit, window)}, monotonic=lambda: now[0])
    policy = RetryPolicy(max_total_wait=1e9, jitter=lambda delay: delay)
    stats = [ClientStats() for _ in range(clients)]
    throttles = [throttle() for _ in range(clients)]
    done = [0] * clients

    def worker(client: int) -> Callable[[], None]:
        def start() -> None:
            if now[0] < seconds:
                attempt = Attempt(
                    RequestSpec("POST", "lead/"),
                    policy=policy,
                    throttle=throttles[client],
                    stats=stats[client],
                    clock=lambda: now[0],
                )
                step(attempt, attempt.start())

        def step(attempt: Attempt, current: Step) -> None:
            if isinstance(current, Wait):
                at(now[0] + current.seconds, lambda: step(attempt, attempt.resume()))
            elif isinstance(current, Send):
                at(now[0] + latency, lambda: step(attempt, attempt.on_response(_answer())))
            elif isinstance(current, Done):
                done[client] += now[0] <= seconds
                start()
            else:
                raise AssertionError(current)

        return start

    def _answer() -> httpx.Response:
        decision = limiter.hit(_GROUP, "one key")
        headers = {"RateLimit": rate_limit_header(decision)}
        if decision.allowed:
            return httpx.Response(200, json={}, headers=headers)
        headers["Retry-After"] = str(math.ceil(decision.reset))
        return httpx.Response(429, json={}, headers=headers)

    for client in range(clients):
        for _ in range(workers):
            at(0.0, worker(client))
    logging.disable(logging.INFO)  # every wait is logged: far too many lines here
    try:
        while events:
            now[0], _, action = heapq.heappop(events)
            action()
    finally:
        logging.disable(logging.NOTSET)
    return SharedKeyRun(
        done,
        sum(s.rate_limited for s in stats),
        sum(s.requests for s in stats),
        seconds / window * limit,
    )
