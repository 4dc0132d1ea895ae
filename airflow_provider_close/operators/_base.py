"""The base of the Close operators: the hook, the XCom result convention, retry awareness.

Every resource operator returns (and so pushes to XCom) a :class:`CloseObjectResult`:
``{"id": "<object id>", "object": {...as Close returned it...}, "action": "..."}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cached_property, wraps
from typing import Any, ClassVar, Literal, TypedDict

from airflow.sdk import BaseOperator, Context

from airflow_provider_close._compat import AirflowFailException
from airflow_provider_close.client.errors import (
    CloseAuthError,
    CloseConfigError,
    CloseError,
    CloseNotFoundError,
    ClosePayloadError,
    ClosePermissionError,
    CloseValidationError,
)
from airflow_provider_close.hooks.close import CloseHook
from airflow_provider_close.idempotency.rule import (
    DEFAULT_SETTLE_SECONDS,
    Clock,
    LookupSource,
    SystemClock,
    create_once,
)
from airflow_provider_close.links import LEAD_ID_XCOM_KEY, CloseLeadLink

__all__ = [
    "FAIL_NOW_ERRORS",
    "CloseAction",
    "CloseBaseOperator",
    "CloseCreateOperator",
    "CloseLeadOperator",
    "CloseObjectResult",
    "checked_settle_seconds",
    "is_retry",
    "object_result",
    "push_lead_id",
    "retry_started",
]

CloseAction = Literal[
    "created", "found_existing", "updated", "skipped", "fetched", "deleted", "already_deleted"
]


class CloseObjectResult(TypedDict):
    """What the Close operators return (the task's ``return_value`` XCom).

    ``id``: the object's id. ``object``: the object as Close returned it (``None`` after a
    delete). ``action``: ``created``; ``found_existing`` (a retry found the object an
    earlier attempt had created); ``updated``; ``skipped`` (``if_exists="skip"``);
    ``fetched``; ``deleted``; ``already_deleted`` (``missing_ok=True``).
    """

    id: str
    object: dict[str, Any] | None
    action: CloseAction


def object_result(obj: dict[str, Any], action: CloseAction) -> CloseObjectResult:
    """Return the XCom result for an object Close returned.

    :param obj: the object (must carry ``id``).
    :param action: what the operator did.
    """
    return CloseObjectResult(id=str(obj["id"]), object=obj, action=action)


def is_retry(context: Context) -> bool:
    """Return whether this run is an Airflow retry (``try_number > 1``) of the task.

    :param context: the task context.
    """
    ti = context.get("ti")
    try_number = getattr(ti, "try_number", None)
    return isinstance(try_number, int) and try_number > 1


def push_lead_id(context: Context, lead_id: str | None) -> None:
    """Push the lead id the task touched, for the "View in Close" link.

    :param context: the task context.
    :param lead_id: the ``lead_…`` id, or ``None`` (nothing is pushed).
    """
    if lead_id:
        context["ti"].xcom_push(key=LEAD_ID_XCOM_KEY, value=lead_id)


#: Errors no retry can cure: a payload refused before sending, Close's 400, 401, 403 and
#: 404, a connection configured wrongly. Transient ones (429 once the client's retries are
#: exhausted, 5xx, transport failures, unknown outcomes) keep Airflow's retries.
FAIL_NOW_ERRORS: tuple[type[CloseError], ...] = (
    ClosePayloadError,
    CloseValidationError,
    CloseAuthError,
    ClosePermissionError,
    CloseNotFoundError,
    CloseConfigError,
)


def _failing_now(execute: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``execute`` (or ``execute_complete``): fail-now on :data:`FAIL_NOW_ERRORS`.

    The outermost call (``execute`` may call ``super().execute``) closes the hook's clients.
    """

    @wraps(execute)
    def run(self: CloseBaseOperator, *args: Any, **kwargs: Any) -> Any:
        outermost = not self.__dict__.get("_close_executing", False)
        self.__dict__["_close_executing"] = True
        try:
            return execute(self, *args, **kwargs)
        except FAIL_NOW_ERRORS as err:
            raise AirflowFailException(f"{type(err).__name__}: {err}") from err
        finally:
            if outermost:
                self.__dict__["_close_executing"] = False
                self.close_hook()

    run.__dict__["_close_fails_now"] = True
    return run


class CloseBaseOperator(BaseOperator):
    """Base of the Close operators: holds the connection id and builds the hook lazily.

    Every subclass's ``execute`` (and ``execute_complete``) fails at once (Airflow's
    ``AirflowFailException``, chained to the Close error, same secret-free message) on
    errors no retry can cure
    (:data:`FAIL_NOW_ERRORS`), and closes the hook's clients when the task ends.

    :param close_conn_id: the Airflow connection to Close (templated).
    """

    template_fields: Sequence[str] = ("close_conn_id",)
    ui_color = "#3d5afe"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("execute", "execute_complete"):
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "_close_fails_now", False):
                setattr(cls, name, _failing_now(method))

    def __init__(self, *, close_conn_id: str = CloseHook.default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.close_conn_id = close_conn_id

    def close_hook(self) -> None:
        """Close the hook's cached clients, if the hook was built (the task is over)."""
        hook = self.__dict__.get("hook")
        if hook is not None:
            hook.close()

    @cached_property
    def hook(self) -> CloseHook:
        """The Close hook (built on first use, never in ``__init__``)."""
        return CloseHook(close_conn_id=self.close_conn_id)


class CloseLeadOperator(CloseBaseOperator):
    """A Close operator that creates or touches a lead, with the "View in Close" link."""

    operator_extra_links = (CloseLeadLink(),)


def checked_settle_seconds(value: object) -> float:
    """Return ``settle_seconds`` as a float, or raise ``ClosePayloadError`` (pure).

    :param value: the operator argument.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ClosePayloadError("settle_seconds", value, "a number of seconds >= 0")
    return float(value)


def retry_started(context: Context, clock: Clock) -> datetime | None:
    """Return, on an Airflow retry, an instant before which an earlier try may have sent the
    create: this try's start (``ti.start_date``; else now). ``None`` on a first try."""
    if not is_retry(context):
        return None
    started = getattr(context.get("ti"), "start_date", None)
    if isinstance(started, datetime) and started.tzinfo is not None:
        return started
    return clock.now()


class CloseCreateOperator(CloseLeadOperator):
    """A create that is sent at most once, under lost responses and Airflow retries.

    A create whose outcome is unknown (the response was lost, or this is a retry of the
    task) is sent again only after a lookup that could have seen it found nothing: lookups
    in immediate lists are believed at once, lead searches only ``settle_seconds`` after
    the lost attempt (Close's search index trails writes); the task waits out the rest.

    :param settle_seconds: how long after a lost attempt a lead search that finds nothing
        is believed (default 60; independent of ``retry_delay``).
    """

    #: The settle window's clock (the real one; tests inject the sandbox's).
    settle_clock: ClassVar[Clock] = SystemClock()

    def __init__(self, *, settle_seconds: float = DEFAULT_SETTLE_SECONDS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settle_seconds = checked_settle_seconds(settle_seconds)

    def create_at_most_once(
        self,
        context: Context,
        *,
        create: Callable[[], dict[str, Any]],
        find_existing: Callable[[], dict[str, Any] | None],
        source: LookupSource,
        what: str,
    ) -> CloseObjectResult:
        """Create the object unless an earlier attempt did; return the XCom result.

        :param context: the task context (a retry looks before creating).
        :param create: sends the create.
        :param find_existing: finds what an earlier attempt of this run created.
        :param source: where ``find_existing`` reads: ``immediate`` or ``search``.
        :param what: the object kind, for the log.
        """
        clock = self.settle_clock
        obj, created = create_once(
            create=create,
            find_existing=find_existing,
            source=source,
            lost_before=retry_started(context, clock),
            what=what,
            log=self.log,
            settle_seconds=self.settle_seconds,
            clock=clock,
        )
        return object_result(obj, "created" if created else "found_existing")
