"""``python3 tools/dev.py demo OPTIONS`` hands every option to tools/demo.py, and the README
lists exactly the options demo.py accepts."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    module_name = f"_tool_{name}"
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "tools" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module_name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def dev(monkeypatch):
    """tools/dev.py with installing and running replaced by a recorder."""
    module = _load("dev", monkeypatch)
    ran: list[list[str]] = []
    monkeypatch.setattr(module, "ensure_env", lambda _env: None)
    monkeypatch.setattr(module, "_run", lambda cmd, **_kwargs: ran.append(cmd) or 0)
    module.ran = ran
    return module


DEMO_OPTIONS = [
    "--keep",
    "--verbose",
    "--json",
    "/tmp/summary.json",
    "--sandbox-url",
    "http://127.0.0.1:8765",
    "--api-key",
    "api_demo",
]


def test_dev_demo_passes_every_documented_option_to_demo_py(dev, monkeypatch):
    assert dev.main(["demo", *DEMO_OPTIONS]) == 0

    (command,) = dev.ran
    assert command[1:] == [str(ROOT / "tools" / "demo.py"), *DEMO_OPTIONS]
    # ... and demo.py accepts them all.
    args = _load("demo", monkeypatch).parse_args(command[2:])
    assert (args.keep, args.verbose, args.json) == (True, True, "/tmp/summary.json")
    assert (args.sandbox_url, args.api_key) == ("http://127.0.0.1:8765", "api_demo")


def test_dev_demo_help_shows_demo_py_options_without_installing(dev, monkeypatch):
    monkeypatch.setattr(dev, "ensure_env", lambda _env: pytest.fail("--help installed"))

    assert dev.main(["demo", "--help"]) == 0

    assert dev.ran == [[sys.executable, str(ROOT / "tools" / "demo.py"), "--help"]]


def test_dev_test_still_rejects_unknown_options(dev, capsys):
    with pytest.raises(SystemExit):
        dev.main(["test", "--kep"])
    assert "unrecognized arguments: --kep" in capsys.readouterr().err
    assert dev.ran == []


def test_the_readme_lists_exactly_demo_py_options(monkeypatch):
    readme = (ROOT / "README.md").read_text()
    paragraph = readme[readme.index("Options (after `demo`") :].split("\n\n")[0]
    code = " ".join(re.findall(r"`([^`]+)`", paragraph))
    documented = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", code)) - {"--help"}
    parser_options = {
        option
        for action in _load("demo", monkeypatch).build_parser()._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    assert documented == parser_options
