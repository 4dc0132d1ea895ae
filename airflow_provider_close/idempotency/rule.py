"""The one rule for a create whose outcome is unknown: re-send only after a lookup that could
have seen it still finds nothing.

Close has no idempotency key. A create's outcome is unknown when the client could not tell
whether Close applied it (``CloseUnknownOutcomeError``: the connection broke after the
request was sent), and when an Airflow retry runs a create task again (an earlier try may
have created the object before it failed). A lookup *could have seen* the lost attempt if

* its source is consistent at once (``"immediate"``: reads by id and plain lists, e.g.
  ``GET /activity/call/?lead_id=…&date_created__gte=…``), or
* its source trails writes (``"search"``: ``/data/search/`` and the lead ``query``) and it
  runs at least the settle window after the lost attempt (close-api.md §9b: the lag is
  undocumented; design for up to a minute).

So :func:`trusted_after` says when a "not found" may be believed, :func:`create_once` applies
the rule to one create (the operators) and ``bulk/pending.py`` to many (the bulk upsert).
No Airflow here: the operators pass in what they read from the task context.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal, Protocol

from airflow_provider_close.client.errors import CloseUnknownOutcomeError

__all__ = [
    "DEFAULT_SETTLE_SECONDS",
    "Clock",
    "LookupSource",
    "SystemClock",
    "create_once",
    "trusted_after",
]

JSONObject = dict[str, Any]
#: ``immediate``: sees an applied write at once; ``search``: only after the index catches up.
LookupSource = Literal["immediate", "search"]
#: How long after a lost attempt a search lookup is believed when it finds nothing.
DEFAULT_SETTLE_SECONDS: Final = 60.0


class Clock(Protocol):
    """The time source of the settle window (the real clock; tests inject the sandbox's)."""

    def now(self) -> datetime:
        """Return the current time, aware UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (synchronous callers)."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Wait ``seconds`` (asynchronous callers)."""
        ...


class SystemClock:
    """The real clock: ``datetime.now(UTC)``, ``time.sleep`` and ``asyncio.sleep``."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``. :param seconds: how long."""
        time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Sleep ``seconds`` without blocking the loop. :param seconds: how long."""
        await asyncio.sleep(seconds)


def trusted_after(source: LookupSource, lost_at: datetime, settle_seconds: float) -> datetime:
    """Return the instant from which a lookup in ``source`` could have seen a lost attempt.

    :param source: where the lookup reads (see :data:`LookupSource`).
    :param lost_at: when the attempt was lost (at or after Close may have applied it).
    :param settle_seconds: the settle window for sources that trail writes.
    """
    if source == "immediate":
        return lost_at
    return lost_at + timedelta(seconds=settle_seconds)


class _Log(Protocol):
    def info(self, event: str, /, *args: Any) -> object: ...

    def warning(self, event: str, /, *args: Any) -> object: ...


def _existing_after(
    find: Callable[[], JSONObject | None], trust_at: datetime, clock: Clock, log: _Log
) -> JSONObject | None:
    """Return what a lost attempt created, or None once a lookup that could have seen it
    (one made at ``trust_at`` or later) found nothing, waiting until then if need be."""
    found = find()
    if found is not None:
        return found
    wait = (trust_at - clock.now()).total_seconds()
    if wait <= 0:
        return None
    log.info("Search may not show it yet: looking again in %.0f s (settle window)", wait)
    clock.sleep(wait)
    return find()


def create_once(
    *,
    create: Callable[[], JSONObject],
    find_existing: Callable[[], JSONObject | None],
    source: LookupSource,
    lost_before: datetime | None,
    what: str,
    log: _Log,
    settle_seconds: float = DEFAULT_SETTLE_SECONDS,
    clock: Clock | None = None,
) -> tuple[JSONObject, bool]:
    """Return ``(object, created)``: the object created now, or the one found existing.

    :param create: sends the create and returns the object Close stored.
    :param find_existing: looks for an object an earlier attempt created; ``None`` if none.
    :param source: where ``find_existing`` reads (decides whether the settle window applies).
    :param lost_before: on an Airflow retry, an instant before which an earlier try may have
        sent the create (the retry's start); ``None`` on a first try (no lookup first).
    :param what: what is created, for log messages (e.g. ``"call"``).
    :param log: the logger to report recoveries to.
    :param settle_seconds: the settle window (see :func:`trusted_after`).
    :param clock: the time source (default: the real clock).
    """
    clock = clock or SystemClock()
    if lost_before is not None:
        trust_at = trusted_after(source, lost_before, settle_seconds)
        existing = _existing_after(find_existing, trust_at, clock, log)
        if existing is not None:
            log.info("Retry: found the %s %s created by an earlier try", what, existing.get("id"))
            return existing, False
    try:
        return create(), True
    except CloseUnknownOutcomeError as err:
        trust_at = trusted_after(source, clock.now(), settle_seconds)
        log.warning("The %s create may have been applied (%s); looking for it", what, err)
        existing = _existing_after(find_existing, trust_at, clock, log)
        if existing is not None:
            log.info("Found the %s %s: not creating it again", what, existing.get("id"))
            return existing, False
        log.info("No %s was created; sending the create again", what)
        return create(), True
