"""The reusable field types of the payload models: ``Annotated`` pydantic types (pure).

Each type runs one check of this package before pydantic sees the value, so a model field
says what it accepts in one word (``lead_id: LeadId``, ``phone: Phone | None = None``) and a
bad value is worded by the check itself (``call.phone: got '555'; allowed: an E.164 phone
number, …``) through :func:`~airflow_provider_close.client.validation.validated`. Choices
are ``Literal`` types (:mod:`.enums`). Import this module where payloads are built, never at
DAG parse (it imports pydantic).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, Final, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, model_validator

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.contact_points import (
    e164_phone,
    email_entries,
    phone_entries,
    url_entries,
)
from airflow_provider_close.client.payloads.custom import custom_field_values
from airflow_provider_close.client.payloads.dates import (
    iso_date,
    iso_date_or_datetime,
    iso_datetime,
)
from airflow_provider_close.client.payloads.ids import IdKind, check_id
from airflow_provider_close.client.payloads.scalars import bounded_int, check_bool, check_url
from airflow_provider_close.client.payloads.text import (
    EMAIL_BODY_MAX,
    SMS_TEXT_MAX,
    required_line,
    required_text,
)
from airflow_provider_close.client.validation import validated

__all__ = [
    "MAX_CALL_DURATION",
    "CallDuration",
    "Cents",
    "ContactId",
    "Day",
    "DayOrMoment",
    "EmailBody",
    "EmailTemplateId",
    "Flag",
    "HttpsUrl",
    "LeadId",
    "Line",
    "Moment",
    "Payload",
    "Percent",
    "Phone",
    "PipelineId",
    "SendIn",
    "SmsTemplateId",
    "SmsText",
    "StatusId",
    "Text",
    "Url",
    "UserId",
    "a_list",
    "checked",
    "nothing_to_update",
]

Model = TypeVar("Model", bound="Payload")
#: Close's limit on a call's duration, in seconds (one week).
MAX_CALL_DURATION: Final = 604800


def checked(check: Callable[[str, object], object]) -> BeforeValidator:
    """Return a validator running ``check(field, value)`` (field ``""``: the adapter names it).

    :param check: one of this package's checks, raising ``ClosePayloadError``.
    """
    return BeforeValidator(lambda value: check("", value))


def _id(kind: IdKind) -> BeforeValidator:
    return checked(lambda field, value: check_id(field, value, kind))


def _int(minimum: int, maximum: int | None = None) -> BeforeValidator:
    return checked(lambda field, value: bounded_int(field, value, minimum=minimum, maximum=maximum))


LeadId = Annotated[str, _id("lead")]
ContactId = Annotated[str, _id("contact")]
UserId = Annotated[str, _id("user")]
StatusId = Annotated[str, _id("status")]
PipelineId = Annotated[str, _id("pipeline")]
SmsTemplateId = Annotated[str, _id("sms_template")]
EmailTemplateId = Annotated[str, _id("email_template")]
Phone = Annotated[str, checked(e164_phone)]
Url = Annotated[str, checked(check_url)]
HttpsUrl = Annotated[str, checked(lambda field, value: check_url(field, value, https_only=True))]
Line = Annotated[str, checked(required_line)]
Text = Annotated[str, checked(required_text)]
SmsText = Annotated[
    str, checked(lambda field, value: required_text(field, value, max_length=SMS_TEXT_MAX))
]
EmailBody = Annotated[
    str, checked(lambda field, value: required_text(field, value, max_length=EMAIL_BODY_MAX))
]
Moment = Annotated[str, checked(iso_datetime)]
Day = Annotated[str, checked(iso_date)]
DayOrMoment = Annotated[str, checked(iso_date_or_datetime)]
Flag = Annotated[bool, checked(check_bool)]
#: A contact's typed lists, from strings or ``{"email"|"phone"|"url", "type"}`` dicts.
Emails = Annotated[list[dict[str, str]], checked(email_entries)]
Phones = Annotated[list[dict[str, str]], checked(phone_entries)]
Urls = Annotated[list[dict[str, str]], checked(url_entries)]
CallDuration = Annotated[int, _int(0, MAX_CALL_DURATION)]
Percent = Annotated[int, _int(0, 100)]
#: Seconds Close waits before sending an email (to allow undo).
SendIn = Annotated[int, _int(0, 59)]
Cents = Annotated[int, _int(0)]


class Payload(BaseModel):
    """Base of the payload models: every field is one builder argument."""

    #: Fields that steer the builder but are not sent (e.g. ``mode``).
    not_sent: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def built(cls: type[Model], obj: str, given: Mapping[str, object]) -> dict[str, Any]:
        """Return the body Close gets from ``given`` (fields not given are left out), or raise.

        :param obj: the object name errors start with, e.g. ``"call"``.
        :param given: builder argument -> value (``None`` = not given); arguments that are
            not fields (``custom``, ``allow_empty``) are left to the builder.
        """
        known = cls.__pydantic_fields__  # not ``model_fields``: a slow property per access
        fields = {name: value for name, value in given.items() if name in known}
        model = validated(cls, fields, prefix=obj)
        return model.model_dump(exclude_none=True, by_alias=True, exclude=set(cls.not_sent))


class Entry(Payload):
    """A dict nested in a payload (a lead's address or contact): only its own keys."""

    #: Whether ``{}`` passes this check (a later rule may still refuse it).
    empty_ok: ClassVar[bool] = False

    @model_validator(mode="before")
    @classmethod
    def _a_dict_of_own_keys(cls, data: object) -> object:
        own_keys = isinstance(data, Mapping) and not set(data) - set(cls.model_fields)
        if own_keys and (data or cls.empty_ok):
            return data
        raise ClosePayloadError("", data, "a dict with keys " + ", ".join(sorted(cls.model_fields)))


def a_list() -> Any:
    """Return the default of an optional list field whose error says ``allowed: a list``."""
    return Field(None, json_schema_extra={"allowed": "a list"})


def with_custom(
    obj: str,
    fields: Mapping[str, object],
    custom: Mapping[str, object] | None,
    *,
    update: bool = False,
    allow_empty: bool = False,
) -> dict[str, object]:
    """Return ``fields`` plus the checked ``custom.cf_…`` values; refuse an empty update.

    :param obj: the object name, e.g. ``"lead"``.
    :param fields: the model's body.
    :param custom: custom field values keyed ``custom.cf_…``, or ``None``.
    :param update: the body is an update: it must change something.
    :param allow_empty: accept an empty update (checking before custom names are resolved).
    """
    payload = {**fields, **custom_field_values(obj, custom)}
    nothing_to_update(obj, payload, allow_empty=allow_empty or not update)
    return payload


def nothing_to_update(obj: str, payload: Mapping[str, object], *, allow_empty: bool) -> None:
    """Raise ``ClosePayloadError`` when an update would change nothing.

    :param obj: the object name, e.g. ``"lead"``.
    :param payload: the update body.
    :param allow_empty: accept an empty update (checking before custom names are resolved).
    """
    if not payload and not allow_empty:
        raise ClosePayloadError(obj, None, "at least one field to update")
