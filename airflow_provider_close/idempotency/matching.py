"""Find the object an earlier attempt of *this* run created, never an older look-alike.

For contacts and opportunities, looked up through plain lists (``GET /contact/?lead_id=…``,
``GET /opportunity/?lead_id=…&date_created__gte=…``), which are consistent at once: their
``LookupSource`` is ``"immediate"`` (activities and tasks: ``lookups.activities``).

The fingerprints of ``lookups.activities`` identify an activity or task by its content, so
an identical call logged last week would match too. Here candidates must also have been
created since the run started (``dag_run.start_date``, or now when there is no run, minus a
margin for clock skew between the worker and Close): the server is asked with
``date_created__gte`` and every candidate is re-checked client-side.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from airflow_provider_close.lookups.activities import created_at

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient

__all__ = [
    "CLOCK_SKEW_MARGIN",
    "created_since",
    "find_recent_object",
]

#: How much earlier than the run's start an object may carry as ``date_created``.
CLOCK_SKEW_MARGIN: Final = timedelta(minutes=5)
_MAX_SCANNED: Final = 10_000
#: List fields of a contact, compared as sets of their main value.
_CONTACT_POINTS: Final = {"emails": "email", "phones": "phone", "urls": "url"}
JSONObject = dict[str, Any]


def created_since(context: Mapping[str, object]) -> datetime:
    """Return the earliest ``date_created`` an object created by this run can have.

    :param context: the Airflow task context (``dag_run.start_date`` when there is a run).
    """
    dag_run = context.get("dag_run")
    started = getattr(dag_run, "start_date", None)
    if not isinstance(started, datetime) or started.tzinfo is None:
        started = datetime.now(UTC)
    return started.astimezone(UTC) - CLOCK_SKEW_MARGIN


def _comparable(key: str, value: Any) -> Any:
    if key in _CONTACT_POINTS and isinstance(value, list):
        inner = _CONTACT_POINTS[key]
        return sorted(str(item.get(inner, "")).lower() for item in value if isinstance(item, dict))
    return value


def _same_fields(payload: Mapping[str, Any], candidate: Mapping[str, Any]) -> bool:
    return all(
        _comparable(key, candidate.get(key)) == _comparable(key, value)
        for key, value in payload.items()
    )


def find_recent_object(
    client: CloseClient,
    path: str,
    params: Mapping[str, Any],
    payload: Mapping[str, Any],
    since: datetime,
) -> JSONObject | None:
    """Return the first object listed at ``path``, created since ``since``, whose fields all
    equal the payload's (contact points compared as sets of addresses/numbers/URLs).

    For contacts and opportunities, which have no fingerprint in ``lookups.activities``.

    :param client: a ``CloseClient``.
    :param path: the list path, e.g. ``"contact/"``.
    :param params: list filters narrowing the candidates (e.g. ``{"lead_id": ...}``).
    :param payload: the create payload that may have been applied.
    :param since: see :func:`created_since`.
    """
    for candidate in client.iter_items(path, dict(params), max_items=_MAX_SCANNED):
        created = created_at(candidate)
        if created is not None and created >= since and _same_fields(payload, candidate):
            return candidate
    return None
