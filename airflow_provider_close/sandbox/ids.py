"""Close-style object ids: ``<prefix>_<base62>`` with 43 or 22 suffix characters."""

from __future__ import annotations

import random
import string

__all__ = ["SHORT_ID_PREFIXES", "IdFactory", "id_suffix_length"]

_BASE62 = string.digits + string.ascii_letters
#: Prefixes of the newer object types, whose suffix is 22 characters (close-api.md §2).
SHORT_ID_PREFIXES = frozenset(
    {"pipe", "ev", "whsub", "req", "actitype", "smstmpl", "group", "seq", "dial", "media"}
)


def id_suffix_length(prefix: str) -> int:
    """Return the base62 suffix length Close uses for ids with ``prefix``.

    :param prefix: id prefix without the underscore, e.g. ``"lead"``.
    """
    return 22 if prefix in SHORT_ID_PREFIXES else 43


class IdFactory:
    """Deterministic id generator (seeded), so a given seed always yields the same ids.

    :param seed: seed of the private random generator.
    """

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)

    def new(self, prefix: str) -> str:
        """Return a fresh id such as ``lead_<43 base62 chars>``.

        :param prefix: id prefix without the underscore.
        """
        suffix = "".join(self._rng.choices(_BASE62, k=id_suffix_length(prefix)))
        return f"{prefix}_{suffix}"
