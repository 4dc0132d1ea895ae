"""Provider registration: the dict Airflow validates, the entry point, and the CLI's view of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import get_args

import jsonschema
import pytest

from airflow_provider_close.provider_info import get_provider_info


def _schema() -> dict[str, object]:
    import airflow

    path = Path(airflow.__file__).parent / "provider_info.schema.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def test_provider_info_validates_against_airflow_schema() -> None:
    jsonschema.validate(get_provider_info(), _schema())


def test_package_name_equals_distribution_name() -> None:
    assert get_provider_info()["package-name"] == "airflow-provider-close"


def test_entry_point_is_registered() -> None:
    eps = [
        ep
        for ep in entry_points(group="apache_airflow_provider")
        if ep.value.startswith("airflow_provider_close")
    ]
    assert len(eps) == 1
    assert eps[0].load() is get_provider_info


def test_provider_info_module_imports_no_airflow() -> None:
    code = (
        "import sys; import airflow_provider_close.provider_info as p; p.get_provider_info(); "
        "bad = [m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_listed_module_and_class_imports() -> None:
    import importlib

    info = get_provider_info()
    modules = [
        m
        for section in ("hooks", "operators", "sensors", "triggers")
        for item in info[section]
        for m in item["python-modules"]
    ]
    for module in modules:
        importlib.import_module(module)
    for path in [info["connection-types"][0]["hook-class-name"], *info["extra-links"]]:
        module, _, name = path.rpartition(".")
        assert hasattr(importlib.import_module(module), name), path


def test_every_public_operator_sensor_and_trigger_class_is_in_a_listed_module() -> None:
    """A class users import must be reachable from the modules Airflow's registry lists."""
    import importlib
    import re

    package = Path(get_provider_info.__code__.co_filename).parent
    info = get_provider_info()
    listed = [
        importlib.import_module(m)
        for section in ("operators", "sensors", "triggers")
        for item in info[section]
        for m in item["python-modules"]
    ]
    defined = {
        name
        for folder in ("operators", "sensors", "triggers")
        for path in (package / folder).glob("[!_]*.py")
        for name in re.findall(r"^class (Close\w+)\(", path.read_text(), flags=re.M)
    }
    assert len(defined) > 20
    missing = sorted(n for n in defined if not any(hasattr(m, n) for m in listed))
    assert missing == []


def _airflow_cli(*args: str) -> str:
    env = {**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    airflow = str(Path(sys.executable).parent / "airflow")
    result = subprocess.run(
        [airflow, *args], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    return result.stdout


@pytest.fixture(scope="module")
def providers_cli() -> dict[str, str]:
    return {
        "list": _airflow_cli("providers", "list", "-o", "json"),
        "hooks": _airflow_cli("providers", "hooks", "-o", "json"),
    }


def test_cli_lists_the_provider(providers_cli: dict[str, str]) -> None:
    rows = json.loads(providers_cli["list"])
    assert any(row["package_name"] == "airflow-provider-close" for row in rows)


def test_cli_lists_the_close_connection_type(providers_cli: dict[str, str]) -> None:
    rows = json.loads(providers_cli["hooks"])
    close = [row for row in rows if row.get("connection_type") == "close"]
    assert close, rows
    assert close[0]["class"] == "airflow_provider_close.hooks.close.CloseHook"
    assert close[0]["conn_id_attribute_name"] == "close_conn_id"


def test_connection_form_metadata() -> None:
    """What the React connection form reads: relabels, placeholder, hidden fields and extras."""
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    from airflow_provider_close._compat import DECLARATIVE_CONNECTION_FORM
    from airflow_provider_close.hooks.settings import AuthType

    (meta,) = [m for m in HookMetaService.hook_meta_data() if m.connection_type == "close"]
    fields = meta.standard_fields
    assert fields is not None
    assert (fields.password.title, fields.host.title) == ("API key", "API base URL")
    assert fields.host.placeholder == "https://api.close.com"
    hidden = {
        name
        for name in ("login", "port", "url_schema", "password", "host")
        if getattr(fields, name).hidden
    }
    assert hidden == {"login", "url_schema"}  # the port is shown: see UI_FIELD_BEHAVIOUR
    if DECLARATIVE_CONNECTION_FORM:  # Airflow 3.1 has no declarative extra fields
        assert set(meta.extra_fields or {}) == {
            "auth_type",
            "timeout",
            "max_retries",
            "max_total_wait",
            "client_id",
            "client_secret",
            "refresh_token",
            "access_token_expires_at",
        }
        # Exactly the auth types the hook accepts: no None (the form showed it as "null").
        assert meta.extra_fields["auth_type"]["schema"]["enum"] == list(get_args(AuthType))
        secret = {name for name, f in meta.extra_fields.items() if f["schema"].get("format")}
        assert secret == {"client_secret", "refresh_token"}  # masked in the form
