"""validated_fields: the adapter for models with lists, nested models and unknown fields."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, ConfigDict, Field

from airflow_provider_close.client import ClosePayloadError
from airflow_provider_close.client.validation import (
    allowed_note,
    checked_by,
    location_text,
    validated_fields,
)

_Even = Annotated[str, checked_by(lambda v: v if v in ("2", "4") else None, "'2' | '4'")]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    size: Annotated[int, Field(ge=1)] = 1
    even: _Even = "2"


class _Order(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"allowed": "items or note"})
    items: Annotated[list[_Item], allowed_note("a list of items")] = []
    note: str = ""


def _refusal(data: object) -> ClosePayloadError:
    with pytest.raises(ClosePayloadError) as caught:
        validated_fields(_Order, data, prefix="order")
    assert caught.value.__suppress_context__
    return caught.value


def test_list_positions_and_nested_fields_are_named_with_their_own_bounds() -> None:
    error = _refusal({"items": [{}, {"size": 0}]})
    assert str(error) == "order.items[1].size: got 0; allowed: an integer >= 1"


def test_an_unknown_field_is_named_under_its_model_with_that_models_fields() -> None:
    assert str(_refusal({"colour": "red"})) == "order: got 'colour'; allowed: items or note"
    error = _refusal({"items": [{"sise": 2}]})
    assert str(error) == "order.items[0]: got 'sise'; allowed: 'even' | 'size'"


def test_a_validator_says_itself_what_it_allows() -> None:
    error = _refusal({"items": [{"even": "3"}]})
    assert (error.field, error.value, error.allowed) == ("order.items[0].even", "3", "'2' | '4'")


def test_a_field_note_words_the_allowed_part() -> None:
    assert str(_refusal({"items": "x"})) == "order.items: got 'x'; allowed: a list of items"


def test_valid_input_returns_the_model() -> None:
    order = validated_fields(_Order, {"items": [{"size": 3, "even": "4"}]}, prefix="order")
    assert order.items == [_Item(size=3, even="4")]


def test_location_text() -> None:
    assert location_text(["contacts", 0, "emails", 1]) == "contacts[0].emails[1]"
    assert location_text([]) == ""
