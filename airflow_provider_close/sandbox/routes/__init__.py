"""Close's REST routes, relative to ``/api/v1`` (moto's ``urls``)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.routes.activities import activity_routes
from airflow_provider_close.sandbox.routes.automation import automation_routes
from airflow_provider_close.sandbox.routes.contacts import contact_routes
from airflow_provider_close.sandbox.routes.custom import custom_routes
from airflow_provider_close.sandbox.routes.events import event_routes
from airflow_provider_close.sandbox.routes.exports import export_routes
from airflow_provider_close.sandbox.routes.leads import lead_routes
from airflow_provider_close.sandbox.routes.meta import meta_routes
from airflow_provider_close.sandbox.routes.opportunities import opportunity_routes
from airflow_provider_close.sandbox.routes.search import search_routes
from airflow_provider_close.sandbox.routes.tasks import task_routes
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["close_routes"]


def close_routes(state: SandboxState) -> list[BaseRoute]:
    """Return every Close route the sandbox serves, paths relative to ``/api/v1``.

    Each path is served with and without its trailing slash.

    :param state: the state the handlers read and write.
    """
    return [
        *meta_routes(state),
        *lead_routes(state),
        *contact_routes(state),
        *activity_routes(state),
        *custom_routes(state),
        *task_routes(state),
        *opportunity_routes(state),
        *event_routes(state),
        *search_routes(state),
        *export_routes(state),
        *automation_routes(state),
    ]
