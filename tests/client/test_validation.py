"""The one adapter from pydantic's ValidationError to the package's bad-input errors."""

from __future__ import annotations

from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

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
