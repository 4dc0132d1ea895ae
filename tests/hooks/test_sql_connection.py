"""A SQL connection whose provider is missing fails with a message naming what to install
(Airflow's own is ``Unknown hook type "sqlite"``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from airflow_provider_close.bulk.airflow_sources import rows_from_sql
from airflow_provider_close.hooks.sql_connection import missing_provider_message, sql_hook


def test_a_missing_provider_is_named_where_the_bulk_operators_read_sql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The snowflake provider is not installed in the test environments.
    monkeypatch.setenv("AIRFLOW_CONN_WAREHOUSE_SNOW", json.dumps({"conn_type": "snowflake"}))

    with pytest.raises(Exception, match="whose hook is not installed") as info:
        rows_from_sql("warehouse_snow", "SELECT 1")

    message = str(info.value)
    assert message == (
        "connection 'warehouse_snow' has type 'snowflake', whose hook is not installed: "
        "install apache-airflow-providers-snowflake, on every Airflow component that runs tasks"
    )
    assert "Unknown hook type" in str(info.value.__cause__)


def test_the_examples_sqlite_warehouse_names_the_examples_extra() -> None:
    message = missing_provider_message("warehouse_sqlite", "sqlite")
    assert "install apache-airflow-providers-sqlite" in message
    assert "pip install 'airflow-provider-close[examples]'" in message


def test_an_unknown_type_gets_a_generic_hint() -> None:
    message = missing_provider_message("wh", "exotic_db")
    assert "'exotic_db'" in message
    assert "install the Airflow provider that defines it" in message


def test_an_installed_sql_provider_gives_its_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.db"
    sqlite3.connect(path).close()
    monkeypatch.setenv(
        "AIRFLOW_CONN_WAREHOUSE_OK", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    assert sql_hook("warehouse_ok").get_records("SELECT 1") == [(1,)]
    assert rows_from_sql("warehouse_ok", "SELECT 2 AS two") == [{"two": 2}]
