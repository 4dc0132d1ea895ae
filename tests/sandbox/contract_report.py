"""What each contract test saw, and how a live run differs from what the sandbox answered.

Every response a contract test's ``api`` client receives is reduced to an :class:`Observation`
(method, path with ids replaced, status, top-level keys, the first item's keys, the error
message). ``CLOSE_CONTRACT_RECORD=1`` on a sandbox run saves them per test to
``fixtures/contract_expectations.json``; a live run compares its own observations with that
file, request by request (the nth ``GET lead/{id}/`` of a test with the nth one recorded), and
lists every difference at the end of the run.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

import httpx

__all__ = ["EXPECTATIONS", "ContractRecorder", "Observation", "differences"]

EXPECTATIONS = Path(__file__).with_name("fixtures") / "contract_expectations.json"
_ID = re.compile(r"\b[a-z]+_[0-9A-Za-z]{10,}\b")
_RUN = re.compile(r"(contract test) [0-9a-f]{12}")


def _template(text: str) -> str:
    return _RUN.sub(r"\1 {run}", _ID.sub("{id}", text))


@dataclass(frozen=True)
class Observation:
    """One response, reduced to what a contract pins.

    :param method: HTTP method.
    :param path: path under ``/api/v1/``, Close ids replaced by ``{id}``.
    :param status: status code.
    :param keys: top-level keys of a JSON object body.
    :param item_keys: keys of ``data[0]``, when the body is a list page.
    :param error: the ``error`` message (ids replaced), if any.
    """

    method: str
    path: str
    status: int
    keys: tuple[str, ...]
    item_keys: tuple[str, ...]
    error: str | None

    @classmethod
    def of(cls, response: httpx.Response) -> Observation:
        """Return the observation of ``response`` (its body is read).

        :param response: a response of the API under test.
        """
        response.read()
        try:
            body = response.json()
        except ValueError:
            body = None
        keys: tuple[str, ...] = ()
        item_keys: tuple[str, ...] = ()
        error = None
        if isinstance(body, dict):
            keys = tuple(sorted(body))
            data = body.get("data")
            if isinstance(data, list) and data and isinstance(data[0], dict):
                item_keys = tuple(sorted(data[0]))
            if isinstance(body.get("error"), str):
                error = _template(body["error"])
        path = _template(response.request.url.path.split("/api/v1/", 1)[-1])
        return cls(response.request.method, path, response.status_code, keys, item_keys, error)


class ContractRecorder:
    """Collects the observations of every contract test of the session."""

    def __init__(self) -> None:
        self.by_test: dict[str, list[Observation]] = defaultdict(list)
        self.current: str | None = None
        self.requests = 0
        self.cleanup_failures: list[str] = []

    def hooks(self) -> dict[str, list[Any]]:
        """Return the httpx event hooks that record into this recorder."""
        return {"response": [self._on_response]}

    def save(self, path: Path = EXPECTATIONS) -> None:
        """Write the observations per test, as the sandbox answered them.

        :param path: where to write the JSON.
        """
        lines = [
            f"{json.dumps(test)}: {json.dumps([list(astuple(o)) for o in seen])}"
            for test, seen in sorted(self.by_test.items())
        ]
        path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")

    def _on_response(self, response: httpx.Response) -> None:
        self.requests += 1
        if self.current is not None:
            self.by_test[self.current].append(Observation.of(response))


def load_expectations(path: Path = EXPECTATIONS) -> dict[str, list[Observation]]:
    """Return the recorded sandbox observations per test (empty when never recorded).

    :param path: the recording.
    """
    if not path.exists():
        return {}
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        test: [Observation(m, p, s, tuple(k), tuple(i), e) for m, p, s, k, i, e in seen]
        for test, seen in raw.items()
    }


def differences(
    expected: dict[str, list[Observation]], observed: dict[str, list[Observation]]
) -> list[str]:
    """Return one line per difference between the live and the recorded observations.

    :param expected: what the sandbox answered, per test.
    :param observed: what the live API answered, per test.
    """
    lines: list[str] = []
    for test, seen in sorted(observed.items()):
        recorded = expected.get(test)
        if recorded is None:
            lines.append(f"{test}: no sandbox recording (re-record with CLOSE_CONTRACT_RECORD=1)")
            continue
        by_request: dict[tuple[str, str], list[Observation]] = defaultdict(list)
        for observation in recorded:
            by_request[(observation.method, observation.path)].append(observation)
        used: dict[tuple[str, str], int] = defaultdict(int)
        for live in seen:
            key = (live.method, live.path)
            candidates = by_request.get(key)
            if not candidates:
                lines.append(f"{test}: {live.method} {live.path}: not sent on the sandbox")
                continue
            sandbox = candidates[min(used[key], len(candidates) - 1)]
            used[key] += 1
            lines += [f"{test}: {live.method} {live.path}: {d}" for d in _compare(sandbox, live)]
    return lines


def _compare(sandbox: Observation, live: Observation) -> list[str]:
    found: list[str] = []
    if sandbox.status != live.status:
        found.append(f"status {live.status} (sandbox {sandbox.status})")
    for label, ours, theirs in (
        ("field", sandbox.keys, live.keys),
        ("item field", sandbox.item_keys, live.item_keys),
    ):
        if not ours or not theirs:
            continue
        if missing := sorted(set(theirs) - set(ours)):
            found.append(f"{label}s the sandbox lacks: {', '.join(missing)}")
        if extra := sorted(set(ours) - set(theirs)):
            found.append(f"{label}s Close did not send: {', '.join(extra)}")
    if sandbox.error != live.error and (sandbox.error or live.error):
        found.append(f"message {live.error!r} (sandbox {sandbox.error!r})")
    return found
