"""Resource data: paths, page sizes, activity types, endpoint groups."""

from __future__ import annotations

from dataclasses import replace

import pytest

from airflow_provider_close.client.payloads.ids import ID_PREFIXES
from airflow_provider_close.client.resources import (
    ACTIVITY_TYPES,
    RESOURCES,
    ListFilter,
    activity_path,
    endpoint_group,
    first_segment,
    is_unpaged,
    keyset_fields,
    max_page_size,
    normalize_path,
    resource_spec,
)


def test_activity_types() -> None:
    assert ACTIVITY_TYPES == ("call", "sms", "note", "email", "meeting")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("lead", "lead/"),
        ("/lead/", "lead/"),
        ("lead/lead_1", "lead/lead_1/"),
        (" me ", "me/"),
        ("activity/call/", "activity/call/"),
    ],
)
def test_normalize_path(path: str, expected: str) -> None:
    assert normalize_path(path) == expected


@pytest.mark.parametrize(
    ("path", "size"),
    [
        ("lead/", 200),
        ("contact/", 100),
        ("activity/call/", 100),
        ("activity/", 100),
        ("opportunity/", 250),
        ("task/", 1000),
        ("user/", 1000),
        ("custom_field/lead/", 1000),
        ("event/", 50),
        ("status/lead/", 100),
        ("pipeline/", 100),
    ],
)
def test_max_page_size(path: str, size: int) -> None:
    assert max_page_size(path) == size


@pytest.mark.parametrize(
    ("kind", "activity_id", "expected"),
    [("call", None, "activity/call/"), ("note", "acti_1", "activity/note/acti_1/")],
)
def test_activity_path(kind: str, activity_id: str | None, expected: str) -> None:
    assert activity_path(kind, activity_id) == expected  # type: ignore[arg-type]


def test_activity_path_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError, match="unknown activity type"):
        activity_path("fax")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "path", "group"),
    [
        ("GET", "lead/x/", "read:lead"),
        ("get", "/lead/", "read:lead"),
        ("POST", "lead/", "write:lead"),
        ("PUT", "activity/call/a/", "write:activity"),
        ("DELETE", "task/t/", "write:task"),
        ("POST", "data/search/", "read:data"),
    ],
)
def test_endpoint_group(method: str, path: str, group: str) -> None:
    assert endpoint_group(method, path) == group
    assert first_segment(path) == group.split(":")[1]


# --- the one registry (issue 17 item 2) ---------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("activity/call/", ("date_created",)),
        ("/activity/custom", ("date_created",)),
        ("activity/", ("date_created", "activity_at")),
        ("task/", ("date_created",)),
        ("opportunity/", ("date_created", "date_updated")),
        ("lead/", ()),
        ("contact/", ()),
        ("user/", ()),
        ("lead/lead_x/", ()),
        ("sequence/", ()),
    ],
)
def test_keyset_fields(path: str, fields: tuple[str, ...]) -> None:
    assert keyset_fields(path) == fields


@pytest.mark.parametrize(
    ("path", "unpaged"),
    [
        ("status/lead/", True),
        ("/status/opportunity", True),
        ("pipeline/", True),
        ("custom_activity/", True),
        ("custom_object_type/", True),
        ("custom_object/", True),
        ("user/", False),
        ("lead/", False),
        ("custom_field/lead/", False),
        ("event/", False),
        ("sequence/", False),
    ],
)
def test_is_unpaged(path: str, unpaged: bool) -> None:
    assert is_unpaged(path) is unpaged


@pytest.mark.parametrize(
    ("path", "size"),
    [("lead/lead_x/", 200), ("data/search/", 100), ("custom_field/opportunity/", 1000)],
)
def test_max_page_size_of_paths_below_a_list(path: str, size: int) -> None:
    assert max_page_size(path) == size


def test_nested_lists_share_their_page_size() -> None:
    for outer in RESOURCES.values():
        for inner in RESOURCES.values():
            if inner.path.startswith(outer.path):
                assert inner.max_limit == outer.max_limit, (outer.name, inner.name)


def test_paths_and_names_are_unique() -> None:
    paths = [spec.path for spec in RESOURCES.values()]
    assert len(paths) == len(set(paths)) == len(RESOURCES)


def test_every_id_kind_has_a_prefix() -> None:
    kinds = {spec.id_kind for spec in RESOURCES.values()} - {None}
    assert kinds <= set(ID_PREFIXES)
    assert resource_spec("lead_status").id_kind == "status"


def test_event_log_object_types() -> None:
    tasks = [
        "lead",
        "outgoing_call",
        "incoming_email",
        "email_followup",
        "missed_call",
        "answered_detached_call",
        "voicemail",
        "opportunity_due",
        "incoming_sms",
    ]
    assert {name: spec.event_types for name, spec in RESOURCES.items() if spec.event_types} == {
        "lead": ("lead",),
        "contact": ("contact",),
        "opportunity": ("opportunity",),
        "task": tuple(f"task.{kind}" for kind in tasks),
        **{f"activity.{kind}": (f"activity.{kind}",) for kind in ACTIVITY_TYPES},
        "activity.custom": ("activity.custom_activity",),
        "custom_object": ("custom_object",),
    }


def test_rows_are_frozen_even_when_replaced() -> None:
    spec = replace(resource_spec("task"), params={"_type": "lead"})
    with pytest.raises(TypeError):
        spec.params["x"] = "y"  # type: ignore[index]
    with pytest.raises(TypeError):
        resource_spec("opportunity").filters["x"] = ListFilter("text")  # type: ignore[index]


def test_listed_resources_are_the_list_operators() -> None:
    assert sorted(name for name, spec in RESOURCES.items() if spec.listed) == sorted(
        [
            "lead",
            "contact",
            "opportunity",
            "task",
            "activity",
            *(f"activity.{kind}" for kind in ACTIVITY_TYPES),
            "user",
            "lead_status",
            "opportunity_status",
            *(f"custom_field.{kind}" for kind in ("lead", "contact", "opportunity", "activity")),
        ]
    )
