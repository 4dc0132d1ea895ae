"""Custom activities and custom objects: ``/custom_activity/``, ``/activity/custom/``,
``/custom_object_type/`` and ``/custom_object/`` (close-openapi.yml; COVERAGE.md)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.routing import BaseRoute

from airflow_provider_close.sandbox.activity_queries import ActivityQuery
from airflow_provider_close.sandbox.errors import BadRequest, NotFound
from airflow_provider_close.sandbox.listing import QueryCache, date_bounds, keyset_bound, value_set
from airflow_provider_close.sandbox.models.activities import (
    create_activity,
    get_activity,
    update_activity,
)
from airflow_provider_close.sandbox.models.custom_activities import CUSTOM_ACTIVITY_RULES
from airflow_provider_close.sandbox.models.custom_objects import (
    create_custom_activity_type,
    create_custom_object,
    create_custom_object_type,
    get_custom_object,
    update_custom_object,
)
from airflow_provider_close.sandbox.pagination import (
    fields_param,
    offset_page,
    offset_window,
    project,
    project_all,
    refuse_paging,
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

__all__ = ["custom_routes"]

_KIND = CUSTOM_ACTIVITY_RULES.kind
_ORDERS = ("date_created", "-date_created")
_PAGING = ("_skip", "_limit", "_fields")


def custom_activity_query(params: Mapping[str, str]) -> ActivityQuery:
    """Return the query of ``GET /activity/custom/``.

    ``custom_activity_type_id`` (and ``__in``) need ``lead_id`` (close-openapi.yml).

    :param params: the query parameters.
    :raises BadRequest: a combination Close refuses, an unsupported order or a bad date.
    """
    sets: dict[str, set[str]] = {"_type": {"CustomActivity"}}
    for name in ("lead_id", "user_id", "contact_id", "id", "custom_activity_type_id"):
        values = value_set(params, name)
        if values is not None:
            sets[name] = values
    if "custom_activity_type_id" in sets and "lead_id" not in sets:
        raise BadRequest("Filtering by custom_activity_type_id requires lead_id.")
    order_by = params.get("_order_by") or "-date_created"
    if order_by not in _ORDERS:
        raise BadRequest(f"Ordering by {order_by} is not supported.")
    return ActivityQuery(sets, date_bounds(params, "date_created"), [], order_by)


def _custom_activity_handlers(cache: QueryCache) -> tuple[dict[str, Handler], dict[str, Handler]]:
    async def list_instances(request: Request, state: SandboxState) -> Record:
        params = query_params(request)
        window = offset_window(params, "activity", state.limits)
        base, resume = keyset_bound(params, "date_created", "-date_created")
        query = custom_activity_query(base)
        key = (_KIND, tuple(sorted((k, v) for k, v in base.items() if k not in _PAGING)))

        def compute() -> list[Record]:
            found = [record for record in state.activities.values() if query.matches(record)]
            found.sort(key=query.sort_key(), reverse=query.order_by.startswith("-"))
            return found

        with state.lock:
            found = cache.get_or_compute((state.revision, key), compute)
            page = offset_page(resume(found), window)
        page["data"] = project_all(page["data"], fields_param(params))
        return page

    async def create(request: Request, state: SandboxState) -> Record:
        body, params = await json_body(request), query_params(request)
        meta = request_meta(state, request)
        record = create_activity(state, CUSTOM_ACTIVITY_RULES, body, params, meta)
        return project(record, fields_param(params))

    async def get(request: Request, state: SandboxState) -> Record:
        record = get_activity(state, _KIND, request.path_params["activity_id"])
        return project(record, fields_param(query_params(request)))

    async def put(request: Request, state: SandboxState) -> Record:
        body, meta = await json_body(request), request_meta(state, request)
        activity_id = request.path_params["activity_id"]
        return update_activity(state, CUSTOM_ACTIVITY_RULES, activity_id, body, meta)

    async def delete(request: Request, state: SandboxState) -> Record:
        activity_id = request.path_params["activity_id"]
        with state.lock:
            get_activity(state, _KIND, activity_id)
            state.remove("activity", activity_id, request_meta(state, request))
        return {}

    return {"GET": list_instances, "POST": create}, {"GET": get, "PUT": put, "DELETE": delete}


def _type_handlers(store_name: str, label: str) -> tuple[Handler, Handler, Handler]:
    creators = {
        "custom_activity_types": create_custom_activity_type,
        "custom_object_types": create_custom_object_type,
    }

    async def list_types(request: Request, state: SandboxState) -> Record:
        params = query_params(request)
        refuse_paging(params, f"/{label}/")
        with state.lock:
            types = list(getattr(state, store_name).values())
        return {"data": project_all(types, fields_param(params)), "has_more": False}

    async def create(request: Request, state: SandboxState) -> Record:
        return creators[store_name](state, await json_body(request))

    async def get(request: Request, state: SandboxState) -> Record:
        record = getattr(state, store_name).get(request.path_params["type_id"])
        if record is None:
            raise NotFound(f"Empty query: {label} does not exist.")
        return project(record, fields_param(query_params(request)))

    return list_types, create, get


async def _list_objects(request: Request, state: SandboxState) -> Record:
    params = query_params(request)
    refuse_paging(params, "/custom_object/")
    leads = value_set(params, "lead_id")
    if leads is None:
        raise BadRequest("lead_id is required.")
    types = value_set(params, "custom_object_type_id")
    with state.lock:
        found = [
            record
            for record in state.custom_objects.values()
            if record["lead_id"] in leads
            and (types is None or record["custom_object_type_id"] in types)
        ]
    found.sort(key=lambda record: (record["date_created"], record["id"]))
    return {"data": project_all(found, fields_param(params)), "has_more": False}


async def _create_object(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    return create_custom_object(state, body, request_meta(state, request))


async def _get_object(request: Request, state: SandboxState) -> Record:
    record = get_custom_object(state, request.path_params["object_id"])
    return project(record, fields_param(query_params(request)))


async def _put_object(request: Request, state: SandboxState) -> Record:
    body = await json_body(request)
    meta = request_meta(state, request)
    return update_custom_object(state, request.path_params["object_id"], body, meta)


async def _delete_object(request: Request, state: SandboxState) -> Record:
    with state.lock:
        get_custom_object(state, request.path_params["object_id"])
        state.remove(
            "custom_object", request.path_params["object_id"], request_meta(state, request)
        )
    return {}


def custom_routes(state: SandboxState) -> list[BaseRoute]:
    """Return the custom activity and custom object routes.

    :param state: the sandbox state.
    """
    collection, items = _custom_activity_handlers(QueryCache())
    routes = resource_routes(state, "/activity/custom/", collection)
    routes += resource_routes(state, "/activity/custom/{activity_id}/", items)
    for store_name, label in (
        ("custom_activity_types", "custom_activity"),
        ("custom_object_types", "custom_object_type"),
    ):
        list_types, create, get = _type_handlers(store_name, label)
        routes += resource_routes(state, f"/{label}/", {"GET": list_types, "POST": create})
        routes += resource_routes(state, f"/{label}/{{type_id}}/", {"GET": get})
    routes += resource_routes(
        state, "/custom_object/", {"GET": _list_objects, "POST": _create_object}
    )
    routes += resource_routes(
        state,
        "/custom_object/{object_id}/",
        {"GET": _get_object, "PUT": _put_object, "DELETE": _delete_object},
    )
    return routes
