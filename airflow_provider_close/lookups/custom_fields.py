"""Custom fields by display name or by ``cf_`` id, resolved to ``custom.cf_…`` payload keys.

Close writes custom fields as flat ``custom.cf_<id>`` keys (close-api.md §6.10); people and
DAGs know them by name ("External ID"). :class:`CustomFieldResolver` fetches an object
type's field definitions once (``GET /custom_field/<object_type>/``) and maps either form
to the key. Unknown names are errors that list the known names. Values are checked against
the field's type, choices and multiplicity (``client/payloads/custom_types.py``) before any
write. One instance per task run: definitions are cached on the instance, so a renamed field
is seen on the next run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Literal

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.custom import CUSTOM_KEY_PREFIX
from airflow_provider_close.client.payloads.custom_types import (
    CustomFieldDefinition,
    checked_custom_value,
)
from airflow_provider_close.client.payloads.ids import looks_like_id

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient

__all__ = ["CustomFieldObjectType", "CustomFieldResolver"]

CustomFieldObjectType = Literal["lead", "contact", "opportunity", "activity"]

#: A bound on the definitions read (Close organisations have tens to hundreds).
_MAX_DEFINITIONS: Final = 5000


class CustomFieldResolver:
    """Resolve custom fields of one object type by name or id to ``custom.cf_…`` keys.

    :param client: a ``CloseClient`` (``hook.client``); only ``iter_items`` is used.
    :param object_type: ``lead``, ``contact``, ``opportunity`` or ``activity``.
    """

    def __init__(self, client: CloseClient, object_type: CustomFieldObjectType) -> None:
        self._client = client
        self.object_type: CustomFieldObjectType = object_type
        self._by_id: dict[str, CustomFieldDefinition] | None = None

    def _definitions(self) -> dict[str, str]:
        """Return field id -> display name, fetched on first use."""
        return {field_id: d.name for field_id, d in self.definitions().items()}

    def definitions(self) -> dict[str, CustomFieldDefinition]:
        """Return field id -> definition (type, choices, multiplicity), fetched on first use."""
        if self._by_id is None:
            items = self._client.iter_items(
                f"custom_field/{self.object_type}/", max_items=_MAX_DEFINITIONS
            )
            found = (CustomFieldDefinition.from_json(item) for item in items)
            self._by_id = {definition.id: definition for definition in found}
        return self._by_id

    def checked_value(self, key: str, value: object, *, label: str | None = None) -> object:
        """Return ``value`` checked against the field of ``key`` (``custom.cf_…``).

        :param key: the payload key, as :meth:`key_for` returns it.
        :param value: the value to send.
        :param label: how the field is named in errors (default: its display name).
        """
        definition = self.definitions()[key.removeprefix(CUSTOM_KEY_PREFIX)]
        field = f"{self.object_type}.custom_fields[{(label or definition.name)!r}]"
        return checked_custom_value(field, definition, value)

    def known_names(self) -> list[str]:
        """Return the display names of the object type's custom fields, sorted."""
        return sorted(self._definitions().values(), key=str.lower)

    def _unknown(self, given: object) -> ClosePayloadError:
        names = ", ".join(repr(name) for name in self.known_names()) or "(none defined)"
        return ClosePayloadError(
            f"{self.object_type}.custom",
            given,
            f"a {self.object_type} custom field name or cf_ id; known names: {names}",
        )

    def _id_for_name(self, name: str) -> str:
        definitions = self._definitions()
        for folded in (False, True):
            matches = [
                field_id
                for field_id, known in definitions.items()
                if (known.casefold() == name.casefold() if folded else known == name)
            ]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ClosePayloadError(
                    f"{self.object_type}.custom", name, f"a unique name; ids: {sorted(matches)}"
                )
        raise self._unknown(name)

    def field_id_for(self, name_or_id: str) -> str:
        """Return the ``cf_…`` id of a field given by name, ``cf_`` id or ``custom.cf_`` key.

        Names match exactly first, then case-insensitively; ids must exist.

        :param name_or_id: e.g. ``"External ID"``, ``"cf_…"`` or ``"custom.cf_…"``.
        """
        bare = name_or_id.strip().removeprefix(CUSTOM_KEY_PREFIX)
        if looks_like_id("custom_field", bare):
            if bare not in self._definitions():
                raise self._unknown(name_or_id)
            return bare
        if not name_or_id.strip():
            raise self._unknown(name_or_id)
        return self._id_for_name(name_or_id.strip())

    def key_for(self, name_or_id: str) -> str:
        """Return the payload key ``custom.cf_…`` of a field given by name or id.

        :param name_or_id: e.g. ``"External ID"`` or ``"cf_…"``.
        """
        return f"{CUSTOM_KEY_PREFIX}{self.field_id_for(name_or_id)}"

    def resolve_mapping(self, values: Mapping[str, object]) -> dict[str, object]:
        """Return ``values`` re-keyed from names or ids to ``custom.cf_…`` keys, type-checked.

        :param values: ``{"External ID": "X-1", "cf_…": 3}``; two keys naming the same
            field are an error.
        """
        resolved: dict[str, object] = {}
        for name_or_id, value in values.items():
            key = self.key_for(name_or_id)
            if key in resolved:
                raise ClosePayloadError(
                    f"{self.object_type}.custom", name_or_id, f"each field once ({key} repeated)"
                )
            resolved[key] = self.checked_value(key, value, label=name_or_id)
        return resolved
