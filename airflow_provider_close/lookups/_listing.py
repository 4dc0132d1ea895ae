"""The one client capability the name lookups need: listing a resource's items."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

__all__ = ["ItemLister"]


class ItemLister(Protocol):
    """What the lookups use of a ``CloseClient``: its lazy, paging ``iter_items``."""

    def iter_items(
        self,
        path: str,
        params: dict[str, Any] | None = ...,
        *,
        page_size: int | None = ...,
        max_items: int | None = ...,
    ) -> Iterator[dict[str, Any]]:
        """Yield the items of the list at ``path``."""
        ...
