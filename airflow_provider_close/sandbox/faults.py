"""Scripted, deterministic fault injection (and added latency) for the sandbox.

A :class:`Fault` targets a method (or ``"*"``) and a glob on the path under ``/api/v1``
(``"/lead/*"`` also matches ``"/lead/"``). Each API request walks the faults in order; the
first matching one that fires is applied. Firing rules: ``times`` caps how often a fault fires
(None = forever); ``every=K`` fires on every K-th matching request; ``probability=p`` fires
with a seeded ``random.Random`` per fault, so runs repeat exactly.

Kinds: ``rate_limit`` (429, ``RateLimit`` + ``Retry-After`` + legacy body),
``rate_limit_no_body`` (429, ``Retry-After`` only), ``server_error`` (``status`` 500: JSON
``{"error": ...}``; 502/503/504: an HTML gateway page), ``drop_before`` (TCP connection closed,
request not applied), ``drop_after`` (request applied, then the connection is closed before
the response), ``slow`` (``delay_ms`` before answering normally). ``delay_ms`` delays any kind.

CLI / text spec: ``KIND[:OPTION=VALUE[,OPTION=VALUE...]]`` with options ``method``, ``path``,
``times``, ``every``, ``probability``, ``seed``, ``status``, ``delay_ms``, ``retry_after``,
e.g. ``server_error:status=503,path=/lead/*,times=2`` or ``drop_after:method=POST,times=1``.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, cast, get_args

from airflow_provider_close.sandbox.config import fault_spec_options

__all__ = [
    "FAULT_KINDS",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "FaultStatus",
    "parse_fault_spec",
]

FaultKind = Literal[
    "rate_limit", "rate_limit_no_body", "server_error", "drop_before", "drop_after", "slow"
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
_SERVER_ERROR_STATUSES = frozenset({500, 502, 503, 504})


class FaultStatus(TypedDict):
    """An armed fault as JSON: its settings plus how often it matched and fired."""

    kind: str
    method: str
    path: str
    times: int | None
    every: int | None
    probability: float | None
    seed: int
    status: int
    delay_ms: int
    retry_after: float
    seen: int
    fired: int


@dataclass(frozen=True)
class Fault:
    """One scripted fault.

    :param kind: what happens (see the module docstring).
    :param method: HTTP method to match, or ``"*"``.
    :param path: glob on the path under ``/api/v1`` (``"/lead/*"``), or ``"*"``.
    :param times: fire at most this many times (None = no cap).
    :param every: fire only on every N-th matching request.
    :param probability: fire with this probability (seeded, deterministic).
    :param seed: seed of this fault's random generator.
    :param status: the status of a ``server_error`` (500, 502, 503 or 504).
    :param delay_ms: wait this long before applying the fault (required for ``slow``).
    :param retry_after: seconds announced by the 429 kinds (``Retry-After`` is rounded up).
    """

    kind: FaultKind
    method: str = "*"
    path: str = "*"
    times: int | None = None
    every: int | None = None
    probability: float | None = None
    seed: int = 0
    status: int = 500
    delay_ms: int = 0
    retry_after: float = 1.0

    def __post_init__(self) -> None:
        """Normalise the method and refuse impossible settings."""
        object.__setattr__(self, "method", self.method.upper())
        for problem in _problems(self):
            raise ValueError(f"bad fault {self!r}: {problem}")

    def matches(self, method: str, path: str) -> bool:
        """Return whether a request is targeted by this fault.

        :param method: the HTTP method.
        :param path: the path under ``/api/v1``.
        """
        method_ok = self.method in ("*", method.upper())
        return method_ok and fnmatch.fnmatchcase(path, self.path)

    def to_json(self) -> dict[str, Any]:
        """Return the fault as a JSON-ready dict (what ``Fault(**d)`` accepts)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Build a fault from a JSON object, refusing unknown fields.

        :param data: ``{"kind": ..., "path": ..., ...}``.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown fault fields: {', '.join(unknown)}")
        return cls(**data)


def _problems(fault: Fault) -> list[str]:
    """Return what is wrong with a fault's settings (empty when valid)."""
    checks = [
        (fault.kind in FAULT_KINDS, f"kind must be one of {', '.join(FAULT_KINDS)}"),
        (fault.times is None or fault.times >= 1, "times must be >= 1"),
        (fault.every is None or fault.every >= 1, "every must be >= 1"),
        (fault.probability is None or 0 <= fault.probability <= 1, "probability not in [0, 1]"),
        (fault.delay_ms >= 0 and fault.retry_after >= 0, "delays must be >= 0"),
        (fault.kind != "slow" or fault.delay_ms > 0, "a slow fault needs delay_ms > 0"),
        (
            fault.kind != "server_error" or fault.status in _SERVER_ERROR_STATUSES,
            "server_error status must be 500, 502, 503 or 504",
        ),
    ]
    return [message for ok, message in checks if not ok]


def parse_fault_spec(spec: str) -> Fault:
    """Parse ``KIND[:OPTION=VALUE,...]`` (see the module docstring) into a fault.

    :param spec: e.g. ``"server_error:status=503,path=/lead/*,times=2"``.
    """
    return Fault.from_json(fault_spec_options(spec))


class _ArmedFault:
    """A fault with its counters and random generator."""

    def __init__(self, fault: Fault) -> None:
        self.fault = fault
        self.seen = 0
        self.fired = 0
        self.rng = random.Random(fault.seed)

    def fires(self) -> bool:
        """Count one matching request and return whether the fault fires on it."""
        fault = self.fault
        if fault.times is not None and self.fired >= fault.times:
            return False
        self.seen += 1
        if fault.every is not None and self.seen % fault.every != 0:
            return False
        if fault.probability is not None and self.rng.random() >= fault.probability:
            return False
        self.fired += 1
        return True


class FaultPlan:
    """The ordered, thread-safe list of armed faults."""

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        """Arm ``faults`` in order.

        :param faults: the faults.
        """
        self._lock = threading.Lock()
        self._armed = [_ArmedFault(fault) for fault in faults]

    def add(self, fault: Fault) -> None:
        """Arm one more fault, after the existing ones.

        :param fault: the fault.
        """
        with self._lock:
            self._armed.append(_ArmedFault(fault))

    def replace(self, faults: Iterable[Fault]) -> None:
        """Disarm everything and arm ``faults`` afresh (counters restart).

        :param faults: the faults.
        """
        armed = [_ArmedFault(fault) for fault in faults]
        with self._lock:
            self._armed = armed

    def take(self, method: str, path: str) -> Fault | None:
        """Return the fault to apply to a request, consuming from the first that fires.

        :param method: the HTTP method.
        :param path: the path under ``/api/v1``.
        """
        with self._lock:
            for armed in self._armed:
                if armed.fault.matches(method, path) and armed.fires():
                    return armed.fault
        return None

    def describe(self) -> list[FaultStatus]:
        """Return each fault as JSON with its ``seen`` and ``fired`` counters."""
        with self._lock:
            return [
                cast(
                    FaultStatus,
                    {**armed.fault.to_json(), "seen": armed.seen, "fired": armed.fired},
                )
                for armed in self._armed
            ]
