"""``GET /_sandbox/`` (the URL the CLI prints) lists every control route; so do --help and the
README, with a curl example that creates an activity."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from airflow_provider_close.sandbox import CloseSandbox
from airflow_provider_close.sandbox.__main__ import _argument_parser
from airflow_provider_close.sandbox.control import control_routes
from airflow_provider_close.sandbox.control_index import CREATE_ACTIVITY_EXAMPLE

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def demo_sandbox() -> Iterator[CloseSandbox]:
    with CloseSandbox(seed="demo") as sandbox:
        yield sandbox


def _served_routes(sandbox: CloseSandbox) -> dict[str, list[str]]:
    """The control routes the sandbox really registers: path -> methods."""
    return {
        route.path: sorted(set(route.methods or ()) - {"HEAD"})  # type: ignore[attr-defined]
        for route in control_routes(sandbox)
    }


def test_the_index_lists_every_control_route_with_methods_and_a_description(
    demo_sandbox: CloseSandbox,
) -> None:
    answer = httpx.get(f"{demo_sandbox.url}/_sandbox/")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    entries = answer.json()["control"]
    listed = {entry["path"]: entry["methods"] for entry in entries}
    assert listed == {"/_sandbox/": ["GET"], **_served_routes(demo_sandbox)}
    assert all(entry["description"].strip() for entry in entries)
    for path, methods in listed.items():  # every listed GET answers
        if "GET" in methods:
            assert httpx.get(f"{demo_sandbox.url}{path}").status_code == 200, path


def test_help_and_readme_list_every_control_route(demo_sandbox: CloseSandbox) -> None:
    help_text = _argument_parser().format_help()
    readme = README.read_text()
    section = readme[readme.index("## The sandbox for your own tests") :]
    for path, methods in _served_routes(demo_sandbox).items():
        assert path in help_text, path
        assert f"| `{path}` | {', '.join(methods)} |" in section, path
    assert CREATE_ACTIVITY_EXAMPLE.splitlines()[-1].strip() in help_text
    assert CREATE_ACTIVITY_EXAMPLE in readme


@pytest.mark.skipif(shutil.which("curl") is None, reason="no curl (.ci/run installs it)")
def test_the_curl_example_creates_an_activity(demo_sandbox: CloseSandbox) -> None:
    demo_sandbox.reset()
    script = CREATE_ACTIVITY_EXAMPLE.replace("api_...", demo_sandbox.api_key).replace(
        "http://127.0.0.1:8765", demo_sandbox.url
    )
    before = set(demo_sandbox.state.activities)

    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    (new,) = set(demo_sandbox.state.activities) - before
    call = demo_sandbox.state.activities[new]
    assert (call["_type"], call["direction"], call["duration"]) == ("Call", "inbound", 60)
    assert new in done.stdout
