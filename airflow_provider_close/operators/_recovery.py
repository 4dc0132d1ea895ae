"""Create an object at most once, even when a response is lost or Airflow retries the task.

Close has no idempotency key. When the client cannot tell whether a create was applied
(``CloseUnknownOutcomeError``: the connection broke after the request was sent), or when
the task runs again after a failure (``try_number > 1``), the operator first looks for the
object (by its de-duplication key or fingerprint) and only sends the create if none exists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from airflow_provider_close.client.errors import CloseUnknownOutcomeError

__all__ = ["create_once"]

JSONObject = dict[str, Any]


class _Log(Protocol):
    def info(self, event: str, /, *args: Any) -> object: ...

    def warning(self, event: str, /, *args: Any) -> object: ...


def create_once(
    *,
    create: Callable[[], JSONObject],
    find_existing: Callable[[], JSONObject | None],
    look_first: bool,
    what: str,
    log: _Log,
    resend_if_not_found: bool = True,
) -> tuple[JSONObject, bool]:
    """Return ``(object, created)``: the object created now, or the one found existing.

    :param create: sends the create and returns the object Close stored.
    :param find_existing: looks for an object an earlier attempt created; ``None`` if none.
    :param look_first: look before creating (set on Airflow retries).
    :param what: what is created, for log messages (e.g. ``"call"``).
    :param log: the logger to report recoveries to.
    :param resend_if_not_found: after an unknown outcome, send the create again when the
        lookup finds nothing. Pass ``False`` when the lookup may lag behind writes (Close's
        search index): the error is re-raised and the Airflow retry looks again later.
    """
    if look_first:
        existing = find_existing()
        if existing is not None:
            log.info("Retry: found the %s %s created by an earlier try", what, existing.get("id"))
            return existing, False
    try:
        return create(), True
    except CloseUnknownOutcomeError as err:
        log.warning("The %s create may have been applied (%s); looking for it", what, err)
        existing = find_existing()
        if existing is not None:
            log.info("Found the %s %s: not creating it again", what, existing.get("id"))
            return existing, False
        if not resend_if_not_found:
            log.warning("No %s found yet; failing so that the retry looks again", what)
            raise
        log.info("No %s was created; sending the create again", what)
        return create(), True
