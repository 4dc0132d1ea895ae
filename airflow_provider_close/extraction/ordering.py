"""Deterministic row order: ascending (date value, id), deduplicated by id (no I/O).

Close sorts a windowed list by the date field only; rows sharing a date value come in no
guaranteed order and may straddle a page (or a window split). :class:`TieGroup` holds the
rows of the current date value until a later value shows the group is complete, then releases
them sorted by id. Memory is one group, whatever the window size.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from airflow_provider_close.client.timestamps import parse_moment
from airflow_provider_close.extraction.errors import UnexpectedOrderError
from airflow_provider_close.extraction.windows import Window

__all__ = ["TieGroup", "row_id", "row_moment"]


def row_id(row: dict[str, Any]) -> str:
    """Return the ``id`` of a Close row.

    :param row: a list item.
    :raises ValueError: the row has no string id.
    """
    value = row.get("id")
    if not isinstance(value, str):
        raise ValueError(f"Close row without a string id: {sorted(row)}")
    return value


def row_moment(row: dict[str, Any], field: str) -> datetime:
    """Return the aware datetime of ``row[field]``.

    :param row: a list item.
    :param field: the window field, e.g. ``date_created``.
    """
    return parse_moment(row.get(field))


class TieGroup:
    """Rows that share the latest date value seen, waiting to be released in id order.

    :param resource: resource spec name (for errors).
    :param field: the window field.
    :param window: the window being walked; rows outside it are refused.
    """

    def __init__(self, resource: str, field: str, window: Window) -> None:
        self._resource = resource
        self._field = field
        self._window = window
        self.moment: datetime | None = None
        self._rows: dict[str, dict[str, Any]] = {}
        self.duplicates = 0

    def add(self, row: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Take one row (in Close's order); yield the previous group if this one starts anew.

        :param row: the next row from Close.
        :raises UnexpectedOrderError: the row is outside the window or older than the group.
        """
        moment = row_moment(row, self._field)
        if not self._window.contains(moment):
            self._refuse(row, f"{self._field}={moment.isoformat()} outside {self._window}")
        if self.moment is not None and moment < self.moment:
            self._refuse(row, f"{self._field} went back from {self.moment.isoformat()}")
        if moment != self.moment:
            yield from self.release()
            self.moment = moment
        identifier = row_id(row)
        if identifier in self._rows:
            self.duplicates += 1
        self._rows[identifier] = row

    def release(self) -> Iterator[dict[str, Any]]:
        """Yield the held rows sorted by id and forget them."""
        rows, self._rows = self._rows, {}
        for identifier in sorted(rows):
            yield rows[identifier]

    def discard(self) -> int:
        """Forget the held rows (they will be re-read after a split); return how many."""
        count, self._rows = len(self._rows), {}
        return count

    def _refuse(self, row: dict[str, Any], detail: str) -> None:
        raise UnexpectedOrderError(self._resource, f"row {row.get('id')!r}: {detail}")
