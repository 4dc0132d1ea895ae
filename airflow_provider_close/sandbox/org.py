"""The records of a fresh organization: its owner ("me"), default statuses, one pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from airflow_provider_close.sandbox.ids import IdFactory
from airflow_provider_close.sandbox.records import Record

__all__ = [
    "DEFAULT_LEAD_STATUSES",
    "DEFAULT_OPPORTUNITY_STATUSES",
    "INTERNAL_PHONE",
    "OrgRecords",
    "fresh_org",
    "make_user",
]

DEFAULT_LEAD_STATUSES = ("Potential", "Bad Fit", "Qualified", "Customer")
DEFAULT_OPPORTUNITY_STATUSES = (("Active", "active"), ("Won", "won"), ("Lost", "lost"))
#: The org's internal (Close-provisioned) phone number, usable as SMS ``local_phone``.
INTERNAL_PHONE = "+16505550100"


@dataclass
class OrgRecords:
    """Everything a fresh organization starts with.

    :param organization: the org record.
    :param me: the API key's user.
    :param lead_statuses: id -> lead status.
    :param opportunity_statuses: id -> opportunity status.
    :param pipelines: id -> pipeline.
    :param phone_numbers: id -> phone number record.
    :param internal_phone: the internal number in E.164.
    """

    organization: Record
    me: Record
    lead_statuses: dict[str, Record]
    opportunity_statuses: dict[str, Record]
    pipelines: dict[str, Record]
    phone_numbers: dict[str, Record]
    internal_phone: str


def make_user(
    ids: IdFactory, org_id: str, stamp: str, *, first: str, last: str, email: str
) -> Record:
    """Return a user record in the ``/user/`` shape (``organizations`` as id strings).

    :param ids: the id factory.
    :param org_id: the organization id.
    :param stamp: creation timestamp.
    :param first: first name.
    :param last: last name.
    :param email: email address.
    """
    return {
        "id": ids.new("user"),
        "email": email,
        "first_name": first,
        "last_name": last,
        "image": None,
        "organizations": [org_id],
        "date_created": stamp,
        "date_updated": stamp,
        "last_used_timezone": "UTC",
    }


def _statuses(ids: IdFactory, org_id: str, pipeline: Record) -> tuple[dict[str, Record], ...]:
    lead = [
        {"id": ids.new("stat"), "label": label, "organization_id": org_id}
        for label in DEFAULT_LEAD_STATUSES
    ]
    oppo = [
        {
            "id": ids.new("stat"),
            "label": label,
            "type": kind,
            "pipeline_id": pipeline["id"],
            "organization_id": org_id,
        }
        for label, kind in DEFAULT_OPPORTUNITY_STATUSES
    ]
    pipeline["statuses"] = [{"id": s["id"], "label": s["label"], "type": s["type"]} for s in oppo]
    return {s["id"]: s for s in lead}, {s["id"]: s for s in oppo}


def fresh_org(ids: IdFactory, stamp: str) -> OrgRecords:
    """Return the records of a new organization.

    :param ids: the id factory.
    :param stamp: the creation timestamp.
    """
    org_id = ids.new("orga")
    organization = {
        "id": org_id,
        "name": "Sandbox Org",
        "date_created": stamp,
        "date_updated": stamp,
        "currency": "USD",
    }
    me = make_user(ids, org_id, stamp, first="Sandbox", last="User", email="sandbox@example.com")
    pipeline: Record = {"id": ids.new("pipe"), "name": "Sales", "organization_id": org_id}
    lead_statuses, oppo_statuses = _statuses(ids, org_id, pipeline)
    phone = {
        "id": ids.new("phon"),
        "number": INTERNAL_PHONE,
        "type": "internal",
        "user_id": me["id"],
        "organization_id": org_id,
    }
    return OrgRecords(
        organization=organization,
        me=me,
        lead_statuses=lead_statuses,
        opportunity_statuses=oppo_statuses,
        pipelines={pipeline["id"]: pipeline},
        phone_numbers={phone["id"]: phone},
        internal_phone=INTERNAL_PHONE,
    )
