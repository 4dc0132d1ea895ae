"""Sync modes and "fill only when empty in Close": what an upsert may create and overwrite.

Pure, checked before any request:

* ``mode``: ``upsert`` (default: create what is missing, update what differs),
  ``update_only`` (never create: an unmatched row is ``skipped`` with the reason) or
  ``create_only`` (never update: a matched row is ``skipped`` with the reason);
* ``fill_only_when_empty``: mapped fields Close keeps as they are once they hold a value
  (what sales reps typed is never overwritten): a standard field by its mapping name
  (``"description"``) or a custom field as ``"custom.<name as in the mapping>"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

__all__ = ["DEFAULT_RULES", "SYNC_MODES", "PlanRules", "SyncMode", "check_mode", "fill_only_keys"]

SyncMode = Literal["upsert", "update_only", "create_only"]
SYNC_MODES: Final[tuple[SyncMode, ...]] = get_args(SyncMode)
_CUSTOM: Final = "custom."


@dataclass(frozen=True)
class PlanRules:
    """What the planner may do.

    :param mode: the sync mode.
    :param fill_only: keys of the desired object (standard field names as in the mapping,
        ``custom.cf_…`` keys) written only while Close holds no value for them.
    """

    mode: SyncMode = "upsert"
    fill_only: frozenset[str] = field(default_factory=frozenset)


#: Upsert, nothing filled only when empty.
DEFAULT_RULES: Final = PlanRules()


def check_mode(mode: object) -> SyncMode:
    """Return ``mode`` checked, or raise :class:`MappingError` naming the allowed values.

    :param mode: the operator's ``mode`` argument.
    """
    from airflow_provider_close.bulk.mapping import MappingError

    if mode not in SYNC_MODES:
        allowed = ", ".join(repr(m) for m in SYNC_MODES)
        raise MappingError(f"mode must be one of {allowed}, got {mode!r}")
    return mode


def fill_only_keys(
    given: object, standard: Iterable[str], custom_keys: Mapping[str, str]
) -> frozenset[str]:
    """Return the desired-object keys of ``fill_only_when_empty``, or raise :class:`MappingError`.

    :param given: the operator argument: a list of mapped field names (``None``: none).
    :param standard: the standard fields the mapping maps (their mapping names).
    :param custom_keys: custom field name as in the mapping -> ``custom.cf_…`` key.
    """
    from airflow_provider_close.bulk.mapping import MappingError

    if given is None:
        return frozenset()
    if isinstance(given, str) or not isinstance(given, Iterable):
        raise MappingError("fill_only_when_empty must be a list of mapped field names")
    mapped = set(standard)
    allowed = [*mapped, *(f"{_CUSTOM}{name}" for name in custom_keys)]
    keys: set[str] = set()
    for name in given:
        if isinstance(name, str) and name in mapped:
            keys.add(name)
        elif isinstance(name, str) and name.removeprefix(_CUSTOM) in custom_keys:
            keys.add(custom_keys[name.removeprefix(_CUSTOM)])
        else:
            known = ", ".join(repr(a) for a in sorted(allowed)) or "(nothing mapped)"
            raise MappingError(
                f"fill_only_when_empty: {name!r} is not a mapped field; allowed: {known}"
            )
    return frozenset(keys)
