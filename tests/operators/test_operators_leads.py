"""Lead operators through the real hook against the sandbox, read back from its state."""

from __future__ import annotations

import pytest

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.client import CloseNotFoundError
from airflow_provider_close.links import LEAD_ID_XCOM_KEY
from airflow_provider_close.operators.leads import (
    CloseCreateLeadOperator,
    CloseGetLeadOperator,
    CloseUpdateLeadOperator,
)
from tests.operators.fail_now import fails_now

pytestmark = pytest.mark.usefixtures("close_conn")


def _field_id(sandbox, name: str) -> str:
    return next(f["id"] for f in sandbox.state.custom_fields["lead"].values() if f["name"] == name)


def _status_id(sandbox, label: str) -> str:
    return next(s["id"] for s in sandbox.state.lead_statuses.values() if s["label"] == label)


def _lead_named(sandbox, name: str) -> list[dict]:
    return [lead for lead in sandbox.state.leads.values() if lead["name"] == name]


def test_create_lead_with_contacts_addresses_custom_fields_and_status_label(
    seeded_sandbox, context, ti
):
    op = CloseCreateLeadOperator(
        task_id="create",
        name="Roadrunner Inc",
        description="Fast",
        url="https://roadrunner.example",
        status="Qualified",
        contacts=[
            {
                "name": "Wile E.",
                "title": "CEO",
                "emails": ["wile@roadrunner.example"],
                "phones": [{"phone": "+1 415 555 0123", "type": "mobile"}],
            }
        ],
        addresses=[{"label": "business", "city": "Tucson", "state": "AZ"}],
        custom_fields={"External ID": "RR-1", _field_id(seeded_sandbox, "Lead Score"): 42},
    )
    result = op.execute(context)

    stored = seeded_sandbox.state.leads[result["id"]]
    assert result["action"] == "created"
    assert result["object"]["id"] == stored["id"]
    assert stored["name"] == "Roadrunner Inc"
    assert stored["description"] == "Fast"
    assert stored["url"] == "https://roadrunner.example"
    assert stored["status_id"] == _status_id(seeded_sandbox, "Qualified")
    assert stored[f"custom.{_field_id(seeded_sandbox, 'External ID')}"] == "RR-1"
    assert stored[f"custom.{_field_id(seeded_sandbox, 'Lead Score')}"] == 42
    assert stored["addresses"][0]["city"] == "Tucson"
    contacts = [c for c in seeded_sandbox.state.contacts.values() if c["lead_id"] == stored["id"]]
    assert [c["name"] for c in contacts] == ["Wile E."]
    assert contacts[0]["emails"][0]["email"] == "wile@roadrunner.example"
    assert contacts[0]["phones"][0]["phone"] == "+14155550123"
    assert ti.pushed[LEAD_ID_XCOM_KEY] == result["id"]


@pytest.mark.parametrize(
    ("if_exists", "action"), [("skip", "skipped"), ("update", "updated"), ("create", "created")]
)
def test_if_exists_on_custom_field_key(seeded_sandbox, context, if_exists, action):
    existing = next(iter(seeded_sandbox.state.leads.values()))
    ext_key = f"custom.{_field_id(seeded_sandbox, 'External ID')}"
    before = len(seeded_sandbox.state.leads)
    op = CloseCreateLeadOperator(
        task_id="upsert",
        name="Renamed Co",
        description="from the warehouse",
        custom_fields={"External ID": existing[ext_key]},
        if_exists=if_exists,
        match_on="External ID",
    )
    result = op.execute(context)

    assert result["action"] == action
    if if_exists == "create":
        assert len(seeded_sandbox.state.leads) == before + 1
        assert result["id"] != existing["id"]
    else:
        assert len(seeded_sandbox.state.leads) == before
        assert result["id"] == existing["id"]
        expected_name = "Renamed Co" if if_exists == "update" else existing["name"]
        assert seeded_sandbox.state.leads[existing["id"]]["name"] == expected_name
        assert result["object"]["name"] == expected_name


def test_if_exists_fail_and_match_on_contact_email(seeded_sandbox, context):
    contact = next(iter(seeded_sandbox.state.contacts.values()))
    email = contact["emails"][0]["email"].upper()
    op = CloseCreateLeadOperator(
        task_id="fail",
        name="Anything",
        contacts=[{"name": "X", "emails": [email]}],
        if_exists="fail",
        match_on="contact_email",
    )
    before = len(seeded_sandbox.state.leads)
    with pytest.raises(AirflowFailException, match=contact["lead_id"]):
        op.execute(context)
    assert len(seeded_sandbox.state.leads) == before


def test_if_exists_skip_creates_when_no_match(seeded_sandbox, context):
    op = CloseCreateLeadOperator(
        task_id="new", name="Brand New Lead", if_exists="skip", match_on="name"
    )
    result = op.execute(context)
    assert result["action"] == "created"
    assert [lead["id"] for lead in _lead_named(seeded_sandbox, "Brand New Lead")] == [result["id"]]


def test_update_lead_fields_status_and_unset_custom(seeded_sandbox, context, ti):
    lead = next(iter(seeded_sandbox.state.leads.values()))
    score_key = f"custom.{_field_id(seeded_sandbox, 'Lead Score')}"
    op = CloseUpdateLeadOperator(
        task_id="update",
        lead_id=lead["id"],
        description="Updated",
        status=_status_id(seeded_sandbox, "Customer"),
        custom_fields={"Lead Score": None, "Industry": "Retail"},
    )
    result = op.execute(context)

    stored = seeded_sandbox.state.leads[lead["id"]]
    assert result == {"id": lead["id"], "object": result["object"], "action": "updated"}
    assert stored["description"] == "Updated"
    assert stored["status_label"] == "Customer"
    assert stored.get(score_key) is None
    assert stored[f"custom.{_field_id(seeded_sandbox, 'Industry')}"] == "Retail"
    assert ti.pushed[LEAD_ID_XCOM_KEY] == lead["id"]


def test_get_lead(seeded_sandbox, context, ti):
    lead = next(iter(seeded_sandbox.state.leads.values()))
    result = CloseGetLeadOperator(task_id="get", object_id=lead["id"]).execute(context)
    assert result["id"] == lead["id"]
    assert result["object"]["name"] == lead["name"]
    assert ti.pushed[LEAD_ID_XCOM_KEY] == lead["id"]


def test_get_missing_lead(sandbox, context):
    missing = "lead_" + "0" * 43
    with fails_now(CloseNotFoundError):
        CloseGetLeadOperator(task_id="get", object_id=missing).execute(context)
    assert (
        CloseGetLeadOperator(task_id="g", object_id=missing, missing_ok=True).execute(context)
        is None
    )


def test_update_refuses_a_key_matching_several_leads(seeded_sandbox, context):
    for _ in range(2):
        CloseCreateLeadOperator(task_id="dup", name="Twin Co").execute(context)
    seeded_sandbox.clock.advance(seeded_sandbox.search_lag)  # search trails writes
    op = CloseCreateLeadOperator(
        task_id="upsert", name="Twin Co", if_exists="update", match_on="name"
    )
    with pytest.raises(AirflowFailException, match="to match one lead"):
        op.execute(context)
    assert len(_lead_named(seeded_sandbox, "Twin Co")) == 2


def test_api_key_never_reaches_xcom(seeded_sandbox, close_conn, context, ti):
    result = CloseCreateLeadOperator(task_id="k", name="Keyless").execute(context)
    assert seeded_sandbox.api_key not in repr(result)
    assert seeded_sandbox.api_key not in repr(ti.pushed)
