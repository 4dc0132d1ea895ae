"""The one adapter from a pydantic ``ValidationError`` to this package's bad-input errors.

Declarative models (pydantic v2, which ships with Airflow) say what a field accepts; this
module turns the first error pydantic reports into today's message shape, naming the field,
the value given and what is allowed::

    call.direction: got 'sideways'; allowed: 'inbound' | 'outbound'

What is allowed comes from the model: a field's ``json_schema_extra={"allowed": "..."}`` when
given, else its ``Literal`` choices, else its bounds (``ge``/``gt``). A validator may word the
error itself: a :class:`ClosePayloadError` it raises (field validators: the path below the
field, ``""`` or ``"[0].email"``; model validators: the field's name) keeps its value and
allowed text, and so does a ``PydanticCustomError`` whose context holds ``allowed`` (and
optionally ``value``). List indices read ``contacts[0]``. Each layer passes its own
error type: :class:`ClosePayloadError` for payloads and filters, ``CloseConfigError`` (with a
prefix) for connection fields. Import this module where validation runs, not at DAG parse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import NoneType, UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, Field, PlainValidator, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from airflow_provider_close.client.errors import ClosePayloadError

__all__ = [
    "BadInput",
    "allowed_note",
    "allowed_text",
    "bad_input",
    "checked_by",
    "location_text",
    "payload_error",
    "validated",
    "validated_fields",
]

Model = TypeVar("Model", bound=BaseModel)
#: Builds the layer's exception from ``(field, value, allowed)``.
BadInput = Callable[[str, object, str], Exception]


def payload_error(field: str, value: object, allowed: str) -> Exception:
    """Return the payload layer's error: :class:`ClosePayloadError` (also a ``ValueError``)."""
    return ClosePayloadError(field, value, allowed)


def allowed_text(info: FieldInfo) -> str:
    """Return what a model field allows, in words (``'a' | 'b'``, ``a number >= 1``).

    :param info: the field's pydantic ``FieldInfo``.
    """
    extra = info.json_schema_extra
    if isinstance(extra, Mapping) and isinstance(extra.get("allowed"), str):
        return str(extra["allowed"])
    annotation = info.annotation
    if get_origin(annotation) in (Union, UnionType):  # ``X | None``: what X allows
        annotation = next(arg for arg in get_args(annotation) if arg is not NoneType)
    if get_origin(annotation) is Literal:
        return " | ".join(repr(choice) for choice in get_args(annotation))
    kind = "an integer" if annotation is int else "a number"
    for constraint in info.metadata:
        for name, symbol in (("ge", ">="), ("gt", ">")):
            bound = getattr(constraint, name, None)
            if bound is not None:
                return f"{kind} {symbol} {bound:g}"
    return kind if annotation in (int, float) else getattr(annotation, "__name__", str(annotation))


def validated(
    model: type[Model], data: Mapping[str, Any], *, prefix: str, error: BadInput = payload_error
) -> Model:
    """Return ``model`` built from ``data``; raise ``error(field, value, allowed)`` if it fails.

    Only the first error is reported (one field at a time, as the hand-written checks did);
    nothing is sent anywhere before this returns.

    :param model: the pydantic model class.
    :param data: the raw input (a mapping of field name to value).
    :param prefix: the dotted name the fields are reported under (``"call"``,
        ``"connection extra"``), joined to the field name with ``"."`` unless it ends in a space.
    :param error: the layer's error type (default :func:`payload_error`).
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as err:
        first = err.errors()[0]
        location = list(first["loc"])
        info = model.model_fields.get(str(location[0])) if location else None
        allowed = allowed_text(info) if info is not None else "a known field"
        value = None if first["type"] == "missing" else first.get("input")
        context = first.get("ctx") or {}
        cause = context.get("error")
        if isinstance(cause, ClosePayloadError):
            location.append(cause.field)
            value, allowed = cause.value, cause.allowed
        elif isinstance(context.get("allowed"), str):
            value, allowed = context.get("value", value), context["allowed"]
        joiner = "" if prefix.endswith(" ") else "."
        raise error(f"{prefix}{_path(joiner, location)}", value, allowed) from None


def _path(joiner: str, location: list[Any]) -> str:
    """Return ``location`` as ``.contacts[0].emails`` (``joiner`` before the first name)."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif text := str(part).lstrip("."):  # a check's own path may start with "."
            path += text if text.startswith("[") else (joiner if not path else ".") + text
    return path


def location_text(location: Sequence[int | str]) -> str:
    """Return a pydantic error location as this package names fields: ``user_id__in[1]``.

    :param location: the error's ``loc`` (field names and list positions).
    """
    return _path("", list(location))


def _field_named(model: type[BaseModel], name: str) -> FieldInfo | None:
    fields = model.model_fields
    return fields.get(name) or next((f for f in fields.values() if f.alias == name), None)


def _model_at(model: type[BaseModel], location: Sequence[int | str]) -> type[BaseModel]:
    """Return the (nested) model a location inside ``model`` points into."""
    for part in location:
        info = _field_named(model, part) if isinstance(part, str) else None
        kinds = (*get_args(info.annotation), info.annotation) if info is not None else ()
        model = next((k for k in kinds if isinstance(k, type) and issubclass(k, BaseModel)), model)
    return model


def _first_error_allowed(model: type[BaseModel], first: Mapping[str, Any]) -> str:
    ctx = first.get("ctx") or {}
    if isinstance(ctx.get("allowed"), str):
        return str(ctx["allowed"])
    if first["type"] == "extra_forbidden":
        model = _model_at(model, first["loc"][:-1])
        extra = model.model_config.get("json_schema_extra")
        if isinstance(extra, Mapping) and isinstance(extra.get("allowed"), str):
            return str(extra["allowed"])
        names = sorted(f.alias or name for name, f in model.model_fields.items())
        return " | ".join(repr(name) for name in names) or "no fields"
    names = [part for part in first["loc"] if isinstance(part, str)]
    inner = _field_named(_model_at(model, names[:-1]), names[-1]) if names else None
    info = inner or (_field_named(model, names[0]) if names else None)
    return allowed_text(info) if info is not None else "a known field"


def validated_fields(
    model: type[Model], data: object, *, prefix: str, error: BadInput = payload_error
) -> Model:
    """Return ``model`` built from ``data``, as :func:`validated`, for richer models.

    Differences: list positions read ``field[1]``; a field unknown to a model with
    ``extra="forbid"`` is reported as ``<prefix>: got '<name>'; allowed: <the model's fields>``
    (or its ``json_schema_extra["allowed"]``); a validator raising
    ``PydanticCustomError(..., {"allowed": text})`` says itself what is allowed.

    :param model: the pydantic model class.
    :param data: the raw input (a mapping of field name, or alias, to value; a model's
        ``mode="before"`` validator may refuse anything else).
    :param prefix: the dotted name the fields are reported under, e.g. ``"task.filters"``.
    :param error: the layer's error type (default :func:`payload_error`).
    """
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        location = [part for part in first["loc"] if part != "[key]"]
        allowed = _first_error_allowed(model, first)
        value = None if first["type"] == "missing" else first.get("input")
        if first["type"] == "extra_forbidden":  # the model's path, the unknown name as value
            location, value = location[:-1], location[-1]
        where = location_text(location)
        raise error(f"{prefix}.{where}" if where else prefix, value, allowed) from None


def allowed_note(allowed: str) -> Any:
    """Return the field note (``Field(json_schema_extra=...)``) saying what a field allows.

    :param allowed: the words of the messages' ``allowed:`` part, e.g. ``"a non-empty list"``.
    """
    return Field(json_schema_extra={"allowed": allowed})


def bad_input(allowed: str) -> PydanticCustomError:
    """Return the error a validator raises to say itself what is allowed (see above).

    :param allowed: the words of the messages' ``allowed:`` part.
    """
    return PydanticCustomError("bad_input", "allowed: {allowed}", {"allowed": allowed})


def checked_by(test: Callable[[Any], object], allowed: str) -> Any:
    """Return the validator (for ``Annotated[str, ...]``) of the values ``test`` accepts.

    :param test: returns the value to keep, or None for a bad value.
    :param allowed: what is allowed, in words (the ``allowed:`` part of the message).
    """

    def checked(value: object) -> object:
        if (result := test(value)) is None:
            raise bad_input(allowed)
        return result

    return PlainValidator(checked)
