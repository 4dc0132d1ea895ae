"""Find the contact or opportunity a lost create made, in its lead's immediate list.

A contact or opportunity of the bulk upserts is created under a lead whose id is known, and
``GET /contact/?lead_id=…`` and ``GET /opportunity/?lead_id=…`` are plain lists, consistent
at once (close-api.md §9b): their ``LookupSource`` is ``"immediate"``, so a create whose
response was lost is looked for there right away, by the row's match key, and re-sent only
when absent (``bulk/writes.py``). No settle window, unlike leads, which only search finds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from airflow_provider_close.client.asynchronous import AsyncCloseClient


__all__ = ["find_child_by_key"]

#: Children of one lead scanned at most (a lead has tens, rarely thousands).
_MAX_SCANNED: Final = 10_000


async def find_child_by_key(
    client: AsyncCloseClient,
    path: str,
    lead_id: str,
    holds_key: Callable[[Mapping[str, Any]], bool],
    fields: Sequence[str],
) -> dict[str, Any] | None:
    """Return the first object of the lead's list holding the key, or ``None``.

    :param client: an ``AsyncCloseClient``.
    :param path: ``contact/`` or ``opportunity/``.
    :param lead_id: the lead the create was sent under.
    :param holds_key: whether a listed object holds the row's match key.
    :param fields: the fields ``holds_key`` reads (``id`` is always fetched).
    """
    wanted = list(dict.fromkeys(["id", *fields]))
    items = client.iter_items(path, {"lead_id": lead_id}, max_items=_MAX_SCANNED, fields=wanted)
    async for item in items:
        if holds_key(item):
            return item
    return None
