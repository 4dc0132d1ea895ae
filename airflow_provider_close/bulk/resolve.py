"""Turn the user-facing match key and custom field names into Close keys, before any write.

Uses the shared ``CustomFieldResolver`` (``lookups/custom_fields.py``): one
``GET /custom_field/lead/`` per run; an unknown name fails the run up front, listing the
known names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from airflow_provider_close.lookups.leads import LeadMatchKey

__all__ = ["HasCustom", "KeyResolver", "custom_keys_for", "match_key_for"]


class KeyResolver(Protocol):
    """A ``CustomFieldResolver`` for leads."""

    def key_for(self, name_or_id: str) -> str: ...


class HasCustom(Protocol):
    """A validated mapping of any kind (its ``custom`` section: field name -> column)."""

    @property
    def custom(self) -> Mapping[str, str]: ...


def custom_keys_for(mapping: HasCustom, resolver: KeyResolver) -> dict[str, str]:
    """Return mapping custom field name -> ``custom.cf_...`` key.

    :param mapping: the validated mapping (lead, contact or opportunity).
    :param resolver: resolves names and ids.
    """
    return {name: resolver.key_for(name) for name in mapping.custom}


def match_key_for(match_key: str, resolver: KeyResolver) -> LeadMatchKey:
    """Return the :class:`LeadMatchKey` for ``"name"``, ``"contact_email"`` or a custom field.

    :param match_key: ``name``, ``contact_email``, or a lead custom field name or ``cf_`` id.
    :param resolver: resolves custom field names and ids.
    """
    if match_key == "name":
        return LeadMatchKey("name")
    if match_key == "contact_email":
        return LeadMatchKey("contact_email")
    return LeadMatchKey("custom_field", resolver.key_for(match_key))
