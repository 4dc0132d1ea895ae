"""Assembling payload dicts from checked fields."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["given_fields"]


def given_fields(checked: Mapping[str, object]) -> dict[str, object]:
    """Return ``checked`` without the entries whose value is ``None`` (not given).

    :param checked: field name -> checked value or ``None``.
    """
    return {key: value for key, value in checked.items() if value is not None}
