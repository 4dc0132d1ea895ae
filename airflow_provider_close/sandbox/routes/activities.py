"""``/activity/`` and ``/activity/<call|sms|note|email|meeting>/`` routes."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.activity_queries import (
    ActivityQuery,
    generic_activity_query,
    typed_activity_query,
)
from airflow_provider_close.sandbox.listing import QueryCache, keyset_bound
from airflow_provider_close.sandbox.models.activities import (
    ActivityRules,
    create_activity,
    get_activity,
    update_activity,
)
from airflow_provider_close.sandbox.models.calls import CALL_RULES
from airflow_provider_close.sandbox.models.emails import EMAIL_RULES
from airflow_provider_close.sandbox.models.meetings import MEETING_RULES
from airflow_provider_close.sandbox.models.notes import NOTE_RULES
from airflow_provider_close.sandbox.models.sms import SMS_RULES
from airflow_provider_close.sandbox.pagination import (
    fields_param,
    offset_page,
    offset_window,
    project,
    project_all,
)
from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.routes.common import (
    Handler,
    json_body,
    query_params,
    request_meta,
    resource_routes,
)
from airflow_provider_close.sandbox.state import SandboxState

__all__ = ["activity_routes"]

_RULES: Mapping[str, ActivityRules] = {
    "call": CALL_RULES,
    "sms": SMS_RULES,
    "note": NOTE_RULES,
    "email": EMAIL_RULES,
    "meeting": MEETING_RULES,
}
_PAGING = ("_skip", "_limit", "_fields")


def _listed(
    state: SandboxState, cache: QueryCache, query: ActivityQuery, key: object
) -> list[Record]:
    def compute() -> list[Record]:
        found = [record for record in state.activities.values() if query.matches(record)]
        found.sort(key=query.sort_key(), reverse=query.order_by.startswith("-"))
        return found

    return cache.get_or_compute((state.revision, key), compute)


def _list_handler(cache: QueryCache, kind: str | None) -> Handler:
    async def list_activities(request: Request, state: SandboxState) -> Record:
        params = query_params(request)
        window = offset_window(params, "activity", state.limits)
        # A keyset walk moves its date bound every page: cache the list without that bound
        # and cut it by bisection (same rows, without re-sorting the whole store per page).
        base, resume = keyset_bound(params, "date_created", "-date_created")
        query = generic_activity_query(base) if kind is None else typed_activity_query(base, kind)
        key = (kind, tuple(sorted((k, v) for k, v in base.items() if k not in _PAGING)))
        with state.lock:
            found = _listed(state, cache, query, key)
            page = offset_page(resume(found), window)
        page["data"] = project_all(page["data"], fields_param(params))
        return page

    return list_activities


def _create_handler(rules: ActivityRules) -> Handler:
    async def create(request: Request, state: SandboxState) -> Record:
        body = await json_body(request)
        params = query_params(request)
        record = create_activity(state, rules, body, params, request_meta(state, request))
        return project(record, fields_param(params))

    return create


def _item_handlers(rules: ActivityRules) -> dict[str, Handler]:
    async def get(request: Request, state: SandboxState) -> Record:
        record = get_activity(state, rules.kind, request.path_params["activity_id"])
        return project(record, fields_param(query_params(request)))

    async def put(request: Request, state: SandboxState) -> Record:
        body = await json_body(request)
        meta = request_meta(state, request)
        record = update_activity(state, rules, request.path_params["activity_id"], body, meta)
        return project(record, fields_param(query_params(request)))

    async def delete(request: Request, state: SandboxState) -> Record:
        with state.lock:
            get_activity(state, rules.kind, request.path_params["activity_id"])
            state.remove(
                "activity", request.path_params["activity_id"], request_meta(state, request)
            )
        return {}

    return {"GET": get, "PUT": put, "DELETE": delete}


def activity_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the activity routes (meetings have no POST: 405, as in Close).

    :param state: the sandbox state.
    """
    cache = QueryCache()
    routes = resource_routes(state, "/activity/", {"GET": _list_handler(cache, None)})
    for kind, rules in _RULES.items():
        collection: dict[str, Handler] = {"GET": _list_handler(cache, kind)}
        if kind != "meeting":
            collection["POST"] = _create_handler(rules)
        routes += resource_routes(state, f"/activity/{kind}/", collection)
        routes += resource_routes(
            state, f"/activity/{kind}/{{activity_id}}/", _item_handlers(rules)
        )
    return routes
