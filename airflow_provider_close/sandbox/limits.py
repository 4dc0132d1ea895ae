"""Per-resource pagination limits of the sandbox (Close's max ``_limit`` and ``_skip``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["DEFAULT_LIMIT", "DEFAULT_MAX_LIMIT", "DEFAULT_MAX_SKIP", "PageLimits"]

#: Largest ``_limit`` per resource (close-api.md §5; "search" is ``/data/search/``).
DEFAULT_MAX_LIMIT: Mapping[str, int] = {
    "lead": 200,
    "contact": 100,
    "opportunity": 250,
    "task": 1000,
    "activity": 100,
    "user": 1000,
    "custom_field": 1000,
    "event": 50,
    "status": 1000,
    "search": 200,
}
#: Largest ``_skip`` per resource.
DEFAULT_MAX_SKIP: Mapping[str, int] = {name: 250_000 for name in DEFAULT_MAX_LIMIT}
#: ``_limit`` used when the request sends none (events default to their maximum).
DEFAULT_LIMIT: Mapping[str, int] = {"event": 50}


def _check_overrides(name: str, overrides: Mapping[str, int] | None, minimum: int) -> None:
    """Raise ``ValueError`` unless ``overrides`` maps resource names to integers >= minimum."""
    if overrides is None:
        return
    if not isinstance(overrides, Mapping):
        raise ValueError(f"{name} must be an object of resource -> integer")
    for resource, value in overrides.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{name}[{resource!r}] must be an integer >= {minimum}, got {value!r}")


@dataclass
class PageLimits:
    """Maximum page size and skip per resource name.

    :param max_limit: resource name -> largest accepted ``_limit``.
    :param max_skip: resource name -> largest accepted ``_skip``.
    """

    max_limit: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_LIMIT))
    max_skip: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MAX_SKIP))

    @classmethod
    def defaults(
        cls,
        max_limit: Mapping[str, int] | None = None,
        max_skip: Mapping[str, int] | None = None,
    ) -> PageLimits:
        """Return Close's limits with the given per-resource overrides merged in.

        :param max_limit: overrides for the largest ``_limit`` per resource (integers >= 1).
        :param max_skip: overrides for the largest ``_skip`` per resource (integers >= 0).
        :raises ValueError: an override is not such an integer.
        """
        _check_overrides("max_limit", max_limit, 1)
        _check_overrides("max_skip", max_skip, 0)
        return cls(
            max_limit={**DEFAULT_MAX_LIMIT, **(max_limit or {})},
            max_skip={**DEFAULT_MAX_SKIP, **(max_skip or {})},
        )

    def limit_for(self, resource: str) -> int:
        """Return the largest ``_limit`` for ``resource`` (100, the framework default, if unknown).

        :param resource: resource name such as ``"lead"``.
        """
        return self.max_limit.get(resource, 100)

    def skip_for(self, resource: str) -> int:
        """Return the largest ``_skip`` for ``resource``.

        :param resource: resource name such as ``"lead"``.
        """
        return self.max_skip.get(resource, 250_000)

    def default_limit_for(self, resource: str) -> int:
        """Return the ``_limit`` applied when a request sends none.

        :param resource: resource name such as ``"event"``.
        """
        return min(DEFAULT_LIMIT.get(resource, 100), self.limit_for(resource))
