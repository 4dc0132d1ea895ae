"""CustomFieldResolver and StatusResolver against the sandbox, through the real client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from airflow_provider_close.client import CloseClient, ClosePayloadError
from airflow_provider_close.lookups.custom_fields import CustomFieldResolver
from airflow_provider_close.lookups.statuses import StatusResolver


@pytest.fixture
def client(seeded_sandbox) -> Iterator[CloseClient]:
    with CloseClient(api_key=seeded_sandbox.api_key, base_url=seeded_sandbox.api_url) as c:
        yield c


def _lead_field_id(sandbox, name: str) -> str:
    return next(f["id"] for f in sandbox.state.custom_fields["lead"].values() if f["name"] == name)


def _gets(sandbox, path: str) -> int:
    return sum(1 for r in sandbox.requests if r.method == "GET" and r.path.startswith(path))


def test_custom_field_by_name_id_and_key(seeded_sandbox, client):
    ext = _lead_field_id(seeded_sandbox, "External ID")
    resolver = CustomFieldResolver(client, "lead")
    assert resolver.key_for("External ID") == f"custom.{ext}"
    assert resolver.key_for("external id") == f"custom.{ext}"
    assert resolver.key_for(ext) == f"custom.{ext}"
    assert resolver.key_for(f"custom.{ext}") == f"custom.{ext}"
    assert resolver.resolve_mapping({"External ID": "X-1", "Lead Score": 7}) == {
        f"custom.{ext}": "X-1",
        f"custom.{_lead_field_id(seeded_sandbox, 'Lead Score')}": 7,
    }
    assert _gets(seeded_sandbox, "/custom_field/lead/") == 1  # cached per instance


def test_custom_field_unknown_name_lists_known_names(client):
    resolver = CustomFieldResolver(client, "lead")
    with pytest.raises(ClosePayloadError) as err:
        resolver.key_for("Externl ID")
    assert err.value.field == "lead.custom"
    assert err.value.value == "Externl ID"
    assert "'External ID', 'Industry', 'Lead Score'" in err.value.allowed


def test_custom_field_unknown_id_and_other_object_type(client):
    with pytest.raises(ClosePayloadError, match="known names: 'LinkedIn'"):
        CustomFieldResolver(client, "contact").key_for("cf_" + "x" * 43)
    with pytest.raises(ClosePayloadError, match="repeated"):
        CustomFieldResolver(client, "lead").resolve_mapping({"External ID": 1, "external id": 2})


def test_status_by_label_and_id(seeded_sandbox, client):
    statuses = {s["label"]: s["id"] for s in seeded_sandbox.state.lead_statuses.values()}
    label, status_id = next(iter(statuses.items()))
    resolver = StatusResolver(client, "lead")
    assert resolver.status_id_for(label) == status_id
    assert resolver.status_id_for(label.upper()) == status_id
    assert resolver.status_id_for(status_id) == status_id
    with pytest.raises(ClosePayloadError) as err:
        resolver.status_id_for("Imaginary")
    assert err.value.field == "lead.status"
    assert all(repr(known) in err.value.allowed for known in statuses)


def test_opportunity_status_by_label(seeded_sandbox, client):
    status = next(iter(seeded_sandbox.state.opportunity_statuses.values()))
    resolver = StatusResolver(client, "opportunity")
    assert resolver.status_id_for(status["label"]) == status["id"]
    with pytest.raises(ClosePayloadError, match=r"opportunity\.status: got 'stat_"):
        resolver.status_id_for("stat_" + "0" * 43)
