"""The contract tests' target (sandbox or the real Close) and the live run's difference report.

``CLOSE_API_KEY`` unset (CI): every test runs against the suite's sandbox. Set: the contract
tests (``live`` marker) run against Close — ``CLOSE_API_URL`` to override its base URL — and
the other tests of this folder, which need the sandbox's own controls (state, clock, faults,
seed) or an empty organisation, are skipped with the reason. See the README, "Live contract
tests".
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.sandbox.contract_report import (
    EXPECTATIONS,
    ContractRecorder,
    differences,
    load_expectations,
)
from tests.sandbox.live_target import LIVE, ContractTarget, live_settings

HERE = os.path.dirname(__file__)
RECORDER = ContractRecorder()
_SANDBOX_FIXTURES = frozenset({"sandbox", "seeded_sandbox", "seeded_api", "_session_sandbox"})


def sandbox_only_reason(item: pytest.Item) -> str | None:
    """Return why a live run skips ``item``, or None when it runs against Close.

    :param item: a test of this folder.
    """
    only = item.get_closest_marker("sandbox_only")
    if only is not None:
        return f"sandbox only: {only.args[0] if only.args else 'not a live contract'}"
    if _SANDBOX_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "sandbox only: uses the sandbox's own controls (state, clock, faults, seed)"
    if item.get_closest_marker("live") is None:
        return "sandbox only: not a live contract test"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Live: skip, with the reason, the tests of this folder that cannot run against Close."""
    if not LIVE:
        return
    for item in items:
        reason = sandbox_only_reason(item) if str(item.path).startswith(HERE) else None
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def target(request: pytest.FixtureRequest) -> Iterator[ContractTarget]:
    """The API under test for one contract test; live leads it created are deleted after it."""
    if LIVE:
        url, key, writes = live_settings()
        found = ContractTarget(url, key, None, writes)
    else:
        box = request.getfixturevalue("sandbox")
        found = ContractTarget(box.api_url, box.api_key, box, writes=True)
    # Only what a live run also sends is recorded (and compared).
    RECORDER.current = None if sandbox_only_reason(request.node) else request.node.nodeid
    try:
        yield found
    finally:
        RECORDER.current = None
        RECORDER.cleanup_failures += found.cleanup()


@pytest.fixture
def recorder() -> ContractRecorder:
    """The session's recorder of contract observations."""
    return RECORDER


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the live run's differences from the sandbox (or save a sandbox recording)."""
    if not RECORDER.by_test:
        return
    write = terminalreporter.write_line
    if not LIVE:
        if os.environ.get("CLOSE_CONTRACT_RECORD") == "1":
            RECORDER.save()
            write(f"contract expectations of {len(RECORDER.by_test)} tests saved to {EXPECTATIONS}")
            return
        stale = differences(load_expectations(), dict(RECORDER.by_test))
        write("live contract run: skipped, CLOSE_API_KEY is not set (ran against the sandbox)")
        if stale:
            write(
                f"  {len(stale)} answer(s) differ from {EXPECTATIONS.name}; re-record with "
                "CLOSE_CONTRACT_RECORD=1 (first: " + stale[0] + ")"
            )
        return
    url, _, writes = live_settings()
    found = differences(load_expectations(), dict(RECORDER.by_test))
    terminalreporter.section("live contract run against " + url)
    state = "on" if writes else "off"
    write(f"{RECORDER.requests} requests, {len(RECORDER.by_test)} tests, writes {state}")
    write(f"{len(found)} difference(s) from the sandbox's recorded answers")
    for line in found:
        write("  " + line)
    for failure in RECORDER.cleanup_failures:
        write("  NOT CLEANED UP: " + failure)
