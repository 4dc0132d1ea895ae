"""The ``demo`` seed: a small, realistic, deterministic organization."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from airflow_provider_close.sandbox.models.checks import actor_fields
from airflow_provider_close.sandbox.models.custom_fields import new_custom_field
from airflow_provider_close.sandbox.models.leads import create_lead
from airflow_provider_close.sandbox.org import make_user
from airflow_provider_close.sandbox.seed_activities import SEED_META, seed_activities
from airflow_provider_close.sandbox.state import SandboxState
from airflow_provider_close.sandbox.timestamps import format_timestamp

__all__ = ["DEMO_COMPANIES", "seed_demo"]

_USERS = (
    ("Alice", "Nguyen", "alice@example.com"),
    ("Bob", "Okafor", "bob@example.com"),
    ("Carmen", "Silva", "carmen@example.com"),
)
DEMO_COMPANIES = (
    "Acme Rockets",
    "Globex",
    "Initech",
    "Umbrella Labs",
    "Stark Logistics",
    "Wayne Foods",
    "Hooli",
    "Pied Piper",
    "Vandelay Imports",
    "Soylent Co",
    "Tyrell Systems",
    "Cyberdyne",
    "Wonka Sweets",
    "Gringotts Finance",
    "Oceanic Air",
    "Monarch Solutions",
    "Aperture Tech",
    "Black Mesa",
    "Massive Dynamic",
    "Nakatomi Trading",
)
_FIRST_NAMES = ("Ann", "Ben", "Cleo", "Dev", "Eve", "Finn", "Gia", "Hugo", "Ivy", "Jon")
_LAST_NAMES = ("Park", "Reyes", "Shaw", "Tran", "Ueda", "Vance", "Webb", "Xu", "Young", "Zane")
_CITIES = (("Tucson", "AZ"), ("Austin", "TX"), ("Denver", "CO"), ("Boston", "MA"))
_INDUSTRIES = ("Software", "Manufacturing", "Retail", "Finance")


def _add_users(state: SandboxState) -> None:
    stamp = state.timestamp()
    for first, last, email in _USERS:
        user = make_user(
            state.ids, state.organization_id, stamp, first=first, last=last, email=email
        )
        state.users[user["id"]] = user


def _add_custom_fields(state: SandboxState) -> dict[str, str]:
    specs: dict[str, dict[str, Any]] = {
        "External ID": {"field_type": "text"},
        "Lead Score": {"field_type": "number"},
        "Industry": {"field_type": "choices", "choices": list(_INDUSTRIES)},
    }
    ids: dict[str, str] = {}
    for name, spec in specs.items():
        field = new_custom_field(state, name=name, **spec)
        state.custom_fields["lead"][field["id"]] = field
        ids[name] = field["id"]
    for object_type, name in (("contact", "LinkedIn"), ("opportunity", "Source")):
        field = new_custom_field(state, name=name, field_type="text")
        state.custom_fields[object_type][field["id"]] = field
    return ids


def _contact_payload(rng: random.Random, company: str) -> dict[str, Any]:
    first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
    domain = company.lower().replace(" ", "") + ".example"
    return {
        "name": f"{first} {last}",
        "title": rng.choice(("CEO", "CTO", "Head of Sales", "Buyer")),
        "emails": [{"email": f"{first.lower()}@{domain}", "type": "office"}],
        "phones": [
            {
                "phone": f"+1415{rng.randrange(200, 999)}{rng.randrange(10_000):04d}",
                "type": "mobile",
            }
        ],
    }


def _lead_payload(
    state: SandboxState, rng: random.Random, name: str, fields: dict[str, str]
) -> dict[str, Any]:
    city, region = rng.choice(_CITIES)
    address = {
        "label": "business",
        "address_1": f"{rng.randrange(1, 999)} Main St",
        "city": city,
        "state": region,
        "zipcode": f"{rng.randrange(10000, 99999)}",
        "country": "US",
    }
    return {
        "name": name,
        "description": f"{name} account",
        "url": f"https://{name.lower().replace(' ', '')}.example",
        "status_id": rng.choice(list(state.lead_statuses)),
        "addresses": [address],
        "contacts": [_contact_payload(rng, name) for _ in range(rng.randrange(1, 3))],
        f"custom.{fields['External ID']}": f"EXT-{1000 + len(state.leads)}",
        f"custom.{fields['Lead Score']}": rng.randrange(0, 100),
        f"custom.{fields['Industry']}": rng.choice(_INDUSTRIES),
    }


def _backdate(state: SandboxState, rng: random.Random, lead_id: str) -> None:
    """Make a seeded lead and its contacts look created weeks ago by one of the users."""
    ago = timedelta(days=rng.randrange(15, 90), minutes=rng.randrange(1440))
    stamp = format_timestamp(state.now() - ago)
    user = rng.choice(list(state.users.values()))
    actor = actor_fields(user, stamp, created=True)
    state.leads[lead_id].update(actor)
    for contact in state.contacts.values():
        if contact["lead_id"] == lead_id:
            contact.update(actor)


def seed_demo(state: SandboxState) -> None:
    """Load the demo org into ``state``: users, custom fields, leads, contacts, activities.

    Deterministic: the same seed and clock always give the same data.

    :param state: a freshly reset state.
    """
    rng = random.Random(state.rng_seed + 1)
    with state.lock:
        _add_users(state)
        fields = _add_custom_fields(state)
        for name in DEMO_COMPANIES:
            lead = create_lead(state, _lead_payload(state, rng, name, fields), SEED_META)
            _backdate(state, rng, lead["id"])
        seed_activities(state, rng)
