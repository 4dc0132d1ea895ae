"""The resource table the list operators are built on."""

from __future__ import annotations

import pytest

from airflow_provider_close.extraction import RESOURCES, activity_spec, json_line, resource_spec


def test_every_path_is_relative_and_slashed() -> None:
    for spec in RESOURCES.values():
        assert spec.path.endswith("/")
        assert not spec.path.startswith("/")


@pytest.mark.parametrize(
    ("name", "window_field", "pagination"),
    [
        ("activity.call", "date_created", "offset"),
        ("activity.meeting", "date_created", "offset"),
        ("activity", "date_created", "offset"),
        ("task", "date_created", "offset"),
        ("opportunity", "date_created", "offset"),
        ("lead", "date_created", "search"),
        ("contact", "date_created", "search"),
        ("user", None, "offset"),
        ("lead_status", None, "offset"),
        ("custom_field.lead", None, "offset"),
        ("event", "date_updated", "cursor"),
    ],
)
def test_window_field_and_pagination(name: str, window_field: str | None, pagination: str) -> None:
    spec = resource_spec(name)
    assert (spec.window_field, spec.pagination) == (window_field, pagination)
    assert spec.windowed is (window_field is not None)


def test_tasks_list_every_task_type() -> None:
    assert resource_spec("task").params == {"_type": "all"}


@pytest.mark.parametrize("kind", ["call", "sms", "note", "email", "meeting"])
def test_activity_spec_uses_the_per_type_endpoint(kind: str) -> None:
    assert activity_spec(kind).path == f"activity/{kind}/"


@pytest.mark.parametrize("kind", ["Call", "whatsapp", ""])
def test_activity_spec_rejects_unknown_types(kind: str) -> None:
    with pytest.raises(ValueError, match="allowed: call, sms, note, email, meeting"):
        activity_spec(kind)


def test_unknown_resource_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"known: activity, activity\.call"):
        resource_spec("leads")


@pytest.mark.parametrize(
    ("row", "line"),
    [
        ({"b": 1, "a": "é"}, '{"a":"é","b":1}\n'),
        (
            {"id": "acti_1", "nested": {"z": None, "y": [2, 1]}},
            '{"id":"acti_1","nested":{"y":[2,1],"z":null}}\n',
        ),
    ],
)
def test_json_line_is_deterministic(row: dict[str, object], line: str) -> None:
    assert json_line(row) == line
