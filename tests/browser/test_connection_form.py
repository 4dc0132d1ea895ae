"""The Close connection form in Airflow's own UI, driven by headless Chromium.

A real ``airflow api-server`` (temporary ``AIRFLOW_HOME``, simple auth manager with everyone an
admin, connection tests enabled) serves the React UI; the test adds a Close CRM connection
pointing at the session's sandbox, checks the Authentication dropdown offers exactly the allowed
auth types, saves it and presses the row's **Test Connection** button, then reads the success
toast. The API server runs the hook's ``test_connection``, so the sandbox sees ``GET /me/``.
Airflow 3.1 has no declarative extra fields (so no dropdown to check); the rest runs on both.

Needs Chromium (Debian's ``chromium``; ``.ci/run`` installs it) and the ``playwright`` package
(in the ``test`` extra), which drives the system Chromium: it never downloads a browser. Skipped,
saying which is missing, when either is absent. On failure a screenshot lands in ``tmp_path``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from airflow_provider_close._compat import DECLARATIVE_CONNECTION_FORM
from airflow_provider_close.hooks.settings import AuthType
from airflow_provider_close.sandbox import CloseSandbox

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium")
#: The flags this machine's (and CI's) Chromium needs: no sandbox as root, nothing phoning home.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _airflow_env(home: Path) -> dict[str, str]:
    """The API server's environment: a fresh home, none of the caller's ``AIRFLOW_*``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("AIRFLOW")}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__TEST_CONNECTION="Enabled",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
        AIRFLOW__API__EXPOSE_CONFIG="False",
        # This checkout's provider first, also in the API server's own imports.
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    )
    return env


@pytest.fixture(scope="module")
def airflow_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start ``airflow api-server`` on a migrated temporary home; yield its base URL."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    pytest.importorskip("playwright", reason="playwright is not installed (the test extra has it)")
    home = tmp_path_factory.mktemp("airflow-ui-home")
    env = _airflow_env(home)
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run(
        [airflow, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300
    )
    port = _free_port()
    log = (home / "api-server.log").open("wb")
    server = subprocess.Popen(
        [airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its workers share the group: stopped together below
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/api/v2/version", server, home / "api-server.log")
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"airflow api-server exited {server.returncode}:\n{_tail(log)}")
        try:
            with urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"airflow api-server not up after {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:]


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    """A page in a fresh headless Chromium profile (stopped afterwards)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            headless=True,
            timeout=30_000,
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            yield page
        finally:
            context.close()


@contextmanager
def screenshot_on_failure(page: Any, path: Path) -> Iterator[None]:
    """Save a full-page screenshot to ``path`` when the block fails, and name it."""
    try:
        yield
    except BaseException as failure:
        page.screenshot(path=str(path), full_page=True)
        failure.add_note(f"screenshot of the page: {path}")
        raise


def test_the_ui_saves_a_close_connection_and_its_test_button_succeeds(
    airflow_ui: str, browser_page: Any, sandbox: CloseSandbox, tmp_path: Path
) -> None:
    page = browser_page
    with screenshot_on_failure(page, tmp_path / "failure.png"):
        sandbox_url = urlsplit(sandbox.url)
        page.goto(airflow_ui)  # 3.1's login redirect drops a deep link's path: use the menu
        page.get_by_role("button", name="Admin").click()
        page.get_by_role("menuitem", name="Connections").click()
        page.get_by_role("button", name="Add Connection").click()
        form = page.get_by_role("dialog")
        form.get_by_label("Connection ID").fill("close_ui")
        form.get_by_role("combobox", name="Connection Type").fill("Close CRM")
        page.keyboard.press("Enter")
        # The port in its own (visible) field: the hook must use it.
        form.get_by_label("API base URL").fill(f"http://{sandbox_url.hostname}")
        form.get_by_label("Port").fill(str(sandbox_url.port))
        form.get_by_label("API key").fill(sandbox.api_key)

        if DECLARATIVE_CONNECTION_FORM:  # 3.1's form has no extra fields, only the JSON
            form.get_by_text("Extra Fields", exact=True).click()
            form.get_by_role("combobox", name="Authentication").click()
            options = [option.inner_text() for option in page.get_by_role("option").all()]
            assert options == list(get_args(AuthType))  # no "null"
            page.get_by_role("option", name="api_key").click()
        form.get_by_role("button", name="Save").click()
        form.wait_for(state="detached")

        row = page.get_by_role("row").filter(has_text="close_ui")
        row.get_by_role("cell", name=str(sandbox_url.port), exact=True).wait_for()  # saved
        page.mouse.move(0, 0)  # no tooltip over the row's buttons
        row.get_by_role("button", name="Test Connection").click()

        toast = page.get_by_text("Connected to Close as", exact=False)
        toast.wait_for()
        assert sandbox.state.me["email"] in toast.inner_text()
        assert [(r.method, r.path) for r in sandbox.requests] == [("GET", "/me/")]
