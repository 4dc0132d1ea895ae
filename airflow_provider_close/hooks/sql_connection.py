"""An Airflow connection's SQL hook, with an error naming the provider to install if it is missing.

Airflow's own error for a connection type whose provider is not installed is
``Unknown hook type "sqlite"``, which does not say what to install. Used by the bulk operators'
``sql=`` input and by the example DAGs' warehouse tasks.
"""

from __future__ import annotations

from typing import Any

__all__ = ["missing_provider_message", "sql_hook"]

#: Connection type -> the Airflow provider distribution that defines it (the common ones).
_PROVIDERS = {
    "sqlite": "apache-airflow-providers-sqlite",
    "postgres": "apache-airflow-providers-postgres",
    "mysql": "apache-airflow-providers-mysql",
    "snowflake": "apache-airflow-providers-snowflake",
    "google_cloud_platform": "apache-airflow-providers-google",
    "gcpbigquery": "apache-airflow-providers-google",
    "redshift": "apache-airflow-providers-amazon",
    "mssql": "apache-airflow-providers-microsoft-mssql",
    "oracle": "apache-airflow-providers-oracle",
    "databricks": "apache-airflow-providers-databricks",
    "trino": "apache-airflow-providers-trino",
}
#: The example DAGs' warehouse is SQLite; this extra installs its provider.
EXAMPLES_EXTRA = "pip install 'airflow-provider-close[examples]'"


def missing_provider_message(conn_id: str, conn_type: str) -> str:
    """Return the error text for a connection whose type has no installed hook.

    :param conn_id: the connection.
    :param conn_type: its type, e.g. ``sqlite``.
    """
    package = _PROVIDERS.get(conn_type)
    what = f"install {package}" if package else "install the Airflow provider that defines it"
    if conn_type == "sqlite":
        what += f" (for the example DAGs: {EXAMPLES_EXTRA})"
    return (
        f"connection {conn_id!r} has type {conn_type!r}, whose hook is not installed: {what}, "
        "on every Airflow component that runs tasks"
    )


def sql_hook(conn_id: str) -> Any:
    """Return the hook of an Airflow SQL connection (a common-sql ``DbApiHook``).

    :param conn_id: the connection.
    :raises AirflowException: its type's provider is not installed (the message names it).
    :raises TypeError: its hook is not a SQL hook.
    """
    from airflow.sdk import BaseHook

    connection = BaseHook.get_connection(conn_id)
    try:
        hook = connection.get_hook()  # type: ignore[no-untyped-call]
    except Exception as err:  # Airflow's AirflowException, whose module moved between versions
        if not str(err).startswith("Unknown hook type"):
            raise
        raise type(err)(missing_provider_message(conn_id, str(connection.conn_type))) from err
    if not hasattr(hook, "get_conn"):
        raise TypeError(f"connection {conn_id!r} has no SQL hook (got {type(hook).__name__})")
    return hook
