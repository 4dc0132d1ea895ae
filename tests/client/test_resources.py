"""Resource data: paths, page sizes, activity types, endpoint groups."""

from __future__ import annotations

import pytest

from airflow_provider_close.client.resources import (
    ACTIVITY_TYPES,
    activity_path,
    endpoint_group,
    first_segment,
    max_page_size,
    normalize_path,
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
