"""file_asset names an Asset after a templated path's fixed folder; record_file_events fills
the outlets' events (the dag.test() runs in test_lineage_dag and the extraction example's test
show Airflow storing them)."""

from __future__ import annotations

from typing import Any

import pytest
from airflow.sdk import Asset

from airflow_provider_close.assets import file_asset, record_file_events


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("s3://lake/close/activities/{{ ds }}.jsonl", "s3://lake/close/activities"),
        ("s3://lake/close/calls-{{ ds }}.jsonl", "s3://lake/close"),
        ("/data/close/{% if x %}a{% endif %}/f.jsonl", "file:///data/close"),
        ("/data/close/users.jsonl", "file:///data/close/users.jsonl"),
    ],
)
def test_file_asset_is_the_fixed_folder_of_the_path(path: str, uri: str) -> None:
    asset = file_asset(path)
    assert asset.uri == uri
    assert asset.name == uri
    assert file_asset(path, name="close_daily").name == "close_daily"


@pytest.mark.parametrize(
    "path", ["{{ var.value.dir }}/x.jsonl", "relative/{{ ds }}.jsonl", "s3://{{ b }}/x"]
)
def test_a_path_without_a_fixed_folder_is_refused_naming_it(path: str) -> None:
    with pytest.raises(ValueError, match="no fixed folder") as caught:
        file_asset(path)
    assert repr(path) in str(caught.value)


class _Event:
    def __init__(self) -> None:
        self.extra: dict[str, Any] = {}


class _OutletEvents:
    """Like Airflow's ``outlet_events`` accessor: one event per Asset (keyed by name; Assets
    are not hashable on Airflow 3.1)."""

    def __init__(self) -> None:
        self.by_name: dict[str, _Event] = {}

    def __getitem__(self, asset: Asset) -> _Event:
        return self.by_name.setdefault(asset.name, _Event())


def test_every_asset_outlet_gets_the_file_and_other_outlets_are_left_alone() -> None:
    events = _OutletEvents()
    daily, other = Asset(name="close_daily"), Asset(name="other")
    context: Any = {"outlet_events": events}
    record_file_events(context, [daily, "not an asset", other], {"rows": 3})
    assert {name: event.extra for name, event in events.by_name.items()} == {
        "close_daily": {"rows": 3},
        "other": {"rows": 3},
    }
    no_outlets: Any = {}
    record_file_events(no_outlets, [], {"rows": 1})  # no Asset outlets: the context is not read
