"""Provider metadata for Airflow's provider discovery.

Airflow calls :func:`get_provider_info` through the ``apache_airflow_provider`` entry point at
every CLI and API start-up, so this module imports nothing from Airflow and does no I/O.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_close import __version__

__all__ = ["CONNECTION_FIELDS", "UI_FIELD_BEHAVIOUR", "get_provider_info"]

_PKG = "airflow_provider_close"

#: How the connection form relabels, hides and describes Airflow's standard fields.
#: The port is shown: a sandbox or proxy may listen on its own port, and Airflow 3.3.2's Test
#: button sends an empty port as 0, which its API refuses for a saved connection ("The host or
#: port to test differs from the stored connection"; apache/airflow#73298): a filled-in port
#: (443 for Close) avoids that.
UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["schema", "login"],
    "relabeling": {"password": "API key", "host": "API base URL"},
    "placeholders": {
        "host": "https://api.close.com",
        "port": "443 (optional; Airflow 3.3.2's Test button needs it)",
        "password": "Close API key (or OAuth access token when auth_type is oauth)",
    },
}

#: Extra fields of the ``close`` connection, stored in ``Connection.extra`` under these names.
CONNECTION_FIELDS: dict[str, Any] = {
    "auth_type": {
        "label": "Authentication",
        "description": "api_key: the password is a Close API key (HTTP Basic). "
        "oauth: OAuth 2.0 (Bearer); with client id, client secret and refresh token below the "
        "access token refreshes itself, else the password is a fixed access token.",
        # No None in the enum: the form would offer it as "null" (unset still means api_key).
        "schema": {
            "type": ["string", "null"],
            "enum": ["api_key", "oauth"],
            "default": "api_key",
        },
    },
    "client_id": {
        "label": "OAuth client ID",
        "description": "oauth only: the Client ID of your Close OAuth app (Settings > Developer "
        "> OAuth Apps).",
        "schema": {"type": ["string", "null"]},
    },
    "client_secret": {
        "label": "OAuth client secret",
        "description": "oauth only: the Client Secret of that app.",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "refresh_token": {
        "label": "OAuth refresh token",
        "description": "oauth only: the refresh token from authorising the app. Close rotates "
        "it on every refresh; the provider keeps the latest in the Airflow Variable "
        "close_oauth_token__<conn_id> and never writes this connection.",
        "schema": {"type": ["string", "null"], "format": "password"},
    },
    "access_token_expires_at": {
        "label": "Access token expires at",
        "description": "oauth only, optional: when the access token in the password expires "
        "(ISO 8601 or epoch seconds). Empty: it is refreshed on the first 401.",
        "schema": {"type": ["string", "null"]},
    },
    "timeout": {
        "label": "Timeout (seconds)",
        "description": "Per-request connect/read timeout. Never infinite.",
        "schema": {"type": ["number", "null"], "minimum": 1, "default": 30},
    },
    "max_retries": {
        "label": "Max retries",
        "description": "Retries per request after the first attempt, for rate limits and safe "
        "transient errors (a POST whose outcome is unknown is never re-sent blindly).",
        "schema": {"type": ["integer", "null"], "minimum": 0, "default": 5},
    },
    "max_total_wait": {
        "label": "Max total wait (seconds)",
        "description": "Upper bound on the time one request may spend waiting between attempts.",
        "schema": {"type": ["number", "null"], "minimum": 0, "default": 300},
    },
}


def get_provider_info() -> dict[str, Any]:
    """Return the provider description Airflow validates and registers."""
    return {
        "package-name": "airflow-provider-close",
        "name": "Close CRM",
        "description": "Hooks, operators, a deferrable sensor, bulk sync and a local sandbox "
        "for the Close CRM (https://close.com).",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Close",
                "external-doc-url": "https://developer.close.com/",
                "tags": ["service"],
            }
        ],
        "hooks": [{"integration-name": "Close", "python-modules": [f"{_PKG}.hooks.close"]}],
        "operators": [
            {
                "integration-name": "Close",
                "python-modules": [
                    f"{_PKG}.operators.leads",
                    f"{_PKG}.operators.contacts",
                    f"{_PKG}.operators.opportunities",
                    f"{_PKG}.operators.activities",
                    f"{_PKG}.operators.tasks",
                    f"{_PKG}.operators.notes",
                    f"{_PKG}.operators.deletions",
                    f"{_PKG}.operators.request",
                    f"{_PKG}.operators.reads",
                    f"{_PKG}.operators.emails",
                    f"{_PKG}.operators.bulk",
                    f"{_PKG}.operators.bulk_contacts",
                    f"{_PKG}.operators.bulk_opportunities",
                    f"{_PKG}.operators.approval",
                    f"{_PKG}.operators.extract",
                    f"{_PKG}.operators.changes",
                    f"{_PKG}.operators.export",
                    f"{_PKG}.operators.bulk_edit",
                    f"{_PKG}.operators.sequences",
                ],
            }
        ],
        "sensors": [
            {
                "integration-name": "Close",
                "python-modules": [f"{_PKG}.sensors.new_activity", f"{_PKG}.sensors.events"],
            }
        ],
        "triggers": [
            {
                "integration-name": "Close",
                "python-modules": [
                    f"{_PKG}.triggers.new_activity",
                    f"{_PKG}.triggers.close_events",
                    f"{_PKG}.triggers.event_wait",
                    f"{_PKG}.triggers.bulk_action",
                    f"{_PKG}.triggers.export",
                ],
            }
        ],
        "extra-links": [f"{_PKG}.links.CloseLeadLink"],
        "connection-types": [
            {
                "connection-type": "close",
                "hook-class-name": f"{_PKG}.hooks.close.CloseHook",
                "hook-name": "Close CRM",
                "ui-field-behaviour": UI_FIELD_BEHAVIOUR,
                "conn-fields": CONNECTION_FIELDS,
            }
        ],
    }
