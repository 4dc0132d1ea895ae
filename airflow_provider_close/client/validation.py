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

from collections.abc import Callable, Mapping
from types import NoneType, UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from airflow_provider_close.client.errors import ClosePayloadError

__all__ = ["BadInput", "allowed_text", "payload_error", "validated"]

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
