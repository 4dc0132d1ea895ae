"""The one adapter from pydantic's ValidationError to the package's bad-input errors."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, BeforeValidator, Field, model_validator
from pydantic_core import PydanticCustomError

from airflow_provider_close.client import ClosePayloadError
from airflow_provider_close.client.validation import validated


class _Call(BaseModel):
    direction: Literal["inbound", "outbound"]
    duration: Annotated[int, Field(ge=0)] = 0
    note: Annotated[str, Field(json_schema_extra={"allowed": "free text"})] = ""


def test_a_literal_names_the_field_the_value_and_the_choices() -> None:
    with pytest.raises(ClosePayloadError) as info:
        validated(_Call, {"direction": "sideways"}, prefix="call")
    assert str(info.value) == "call.direction: got 'sideways'; allowed: 'inbound' | 'outbound'"
    assert (info.value.field, info.value.value) == ("call.direction", "sideways")
    assert info.value.__suppress_context__  # pydantic's long report is not chained into logs


def test_a_bound_is_said_in_words() -> None:
    with pytest.raises(
        ClosePayloadError, match=r"^call.duration: got -1; allowed: an integer >= 0$"
    ):
        validated(_Call, {"direction": "inbound", "duration": -1}, prefix="call")


def test_a_field_can_say_what_it_allows() -> None:
    with pytest.raises(ClosePayloadError, match=r"^call.note: got 5; allowed: free text$"):
        validated(_Call, {"direction": "inbound", "note": 5}, prefix="call")


def test_a_missing_field_is_named() -> None:
    with pytest.raises(ClosePayloadError, match=r"^call.direction: got None; allowed: 'inbound'"):
        validated(_Call, {}, prefix="call")


def test_each_layer_passes_its_own_error_type() -> None:
    def config_error(field: str, value: object, allowed: str) -> Exception:
        return LookupError(f"{field}: got {value!r}; allowed: {allowed}")

    with pytest.raises(LookupError, match=r"^connection extra duration: got -1; allowed"):
        validated(
            _Call,
            {"direction": "inbound", "duration": -1},
            prefix="connection extra ",
            error=config_error,
        )


def test_valid_input_returns_the_model() -> None:
    assert validated(_Call, {"direction": "outbound"}, prefix="call").direction == "outbound"


def _check_phone(value: object) -> object:
    if value != "+14155550123":
        raise ClosePayloadError("", value, "an E.164 phone number")
    return value


def _check_list(values: object) -> object:
    for index, item in enumerate(values if isinstance(values, list) else []):
        if not isinstance(item, str):
            raise ClosePayloadError(f"[{index}].email", item, "an email address")
    return values


class _Contact(BaseModel):
    phone: Annotated[str, BeforeValidator(_check_phone)] | None = None
    emails: Annotated[list[str], BeforeValidator(_check_list)] | None = None
    kind: Literal["a", "b"] | None = None
    tags: list[Literal["x"]] = []

    @model_validator(mode="after")
    def _rules(self) -> _Contact:
        if self.kind == "b" and self.phone is None:
            raise ClosePayloadError("phone", None, "a phone (kind='b')")
        if self.kind == "a" and self.emails:
            raise PydanticCustomError("close", "no emails", {"allowed": "no emails", "value": 1})
        return self


def test_a_validators_own_error_keeps_its_words_under_the_field() -> None:
    with pytest.raises(ClosePayloadError) as info:
        validated(_Contact, {"phone": "555"}, prefix="contact")
    assert str(info.value) == "contact.phone: got '555'; allowed: an E.164 phone number"


def test_a_validators_own_path_below_the_field_is_kept() -> None:
    with pytest.raises(ClosePayloadError) as info:
        validated(_Contact, {"emails": ["a@b.co", 7]}, prefix="contact")
    assert str(info.value) == "contact.emails[1].email: got 7; allowed: an email address"


def test_a_model_validator_names_the_field_it_refuses() -> None:
    with pytest.raises(ClosePayloadError) as info:
        validated(_Contact, {"kind": "b"}, prefix="contact")
    assert str(info.value) == "contact.phone: got None; allowed: a phone (kind='b')"


def test_a_custom_error_carries_its_allowed_and_value() -> None:
    with pytest.raises(ClosePayloadError) as info:
        validated(_Contact, {"kind": "a", "emails": ["a@b.co"]}, prefix="contact")
    assert str(info.value) == "contact: got 1; allowed: no emails"


def test_an_optional_literal_lists_its_choices_and_indices_read_as_brackets() -> None:
    with pytest.raises(ClosePayloadError) as info:
        validated(_Contact, {"kind": "c"}, prefix="contact")
    assert str(info.value) == "contact.kind: got 'c'; allowed: 'a' | 'b'"
    with pytest.raises(ClosePayloadError) as info:
        validated(_Contact, {"tags": ["x", "y"]}, prefix="contact")
    assert info.value.field == "contact.tags[1]"
