"""``field_condition`` conditions of Advanced Filtering, evaluated on a field's values."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from airflow_provider_close.sandbox.errors import BadRequest
from airflow_provider_close.sandbox.timestamps import parse_moment

__all__ = ["CONDITION_TYPES", "condition_matches", "text_matches", "words_of"]

_WORD = re.compile(r"[\w@.+-]+", re.UNICODE)


def words_of(text: Any) -> list[str]:
    """Return the lower-case words ``text`` conditions compare (and the term index holds).

    :param text: a field value or a searched text.
    """
    return [word.lower() for word in _WORD.findall(str(text))]


def text_matches(haystack: str, needle: str, mode: str = "full_words") -> bool:
    """Return whether ``needle`` is found in ``haystack`` under a Close text mode.

    ``full_words``: every word of the needle is a word of the haystack; ``phrase``: the words
    appear consecutively; ``beginning_of_words``: every needle word starts a haystack word.

    :param haystack: the field value.
    :param needle: the searched text.
    :param mode: ``full_words``, ``phrase`` or ``beginning_of_words``.
    :raises BadRequest: an unknown mode.
    """
    have, want = words_of(haystack), words_of(needle)
    if mode == "full_words":
        return all(word in have for word in want)
    if mode == "beginning_of_words":
        return all(any(h.startswith(word) for h in have) for word in want)
    if mode == "phrase":
        size = len(want)
        return any(have[i : i + size] == want for i in range(len(have) - size + 1))
    raise BadRequest(f"Unknown text mode: {mode!r}.")


def _term(values: Sequence[Any], condition: Mapping[str, Any]) -> bool:
    wanted = condition.get("values")
    if not isinstance(wanted, list):
        raise BadRequest("A term condition needs a list of values.")
    normalized = {str(item).lower() for item in wanted}
    return any(str(value).lower() in normalized for value in values)


def _text(values: Sequence[Any], condition: Mapping[str, Any]) -> bool:
    needle = str(condition.get("value") or "")
    mode = str(condition.get("mode") or "full_words")
    return any(text_matches(str(value), needle, mode) for value in values)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _number_range(values: Sequence[Any], condition: Mapping[str, Any]) -> bool:
    bounds = {op: condition[op] for op in _COMPARE if condition.get(op) is not None}
    numbers = [n for n in (_number(value) for value in values) if n is not None]
    return any(all(_COMPARE[op](n, float(b)) for op, b in bounds.items()) for n in numbers)


def _moment(spec: Any) -> datetime | None:
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise BadRequest("A moment must be an object.")
    kind, value = spec.get("type"), spec.get("value")
    moment = parse_moment(value) if isinstance(value, str) else None
    if kind not in ("fixed_utc", "fixed_local_date") or moment is None:
        raise BadRequest(f"Unsupported moment: {spec!r}.")
    if kind == "fixed_local_date" and spec.get("which") == "end":
        return datetime.combine(moment.date() + timedelta(days=1), time(), tzinfo=moment.tzinfo)
    return moment


def _moment_range(values: Sequence[Any], condition: Mapping[str, Any]) -> bool:
    start, end = _moment(condition.get("on_or_after")), _moment(condition.get("before"))
    for value in values:
        moment = parse_moment(str(value))
        if moment is None:
            continue
        if (start is None or moment >= start) and (end is None or moment < end):
            return True
    return False


def _exists(values: Sequence[Any], _condition: Mapping[str, Any]) -> bool:
    return any(value not in (None, "", []) for value in values)


def _boolean(values: Sequence[Any], condition: Mapping[str, Any]) -> bool:
    return any(bool(value) == bool(condition.get("value")) for value in values)


CONDITION_TYPES: Mapping[str, Callable[[Sequence[Any], Mapping[str, Any]], bool]] = {
    "term": _term,
    "text": _text,
    "exists": _exists,
    "number_range": _number_range,
    "moment_range": _moment_range,
    "boolean": _boolean,
}


def condition_matches(values: Sequence[Any], condition: Any) -> bool:
    """Return whether any of a field's values satisfies ``condition``.

    :param values: the field's values on one object (empty when unset).
    :param condition: the condition node, e.g. ``{"type": "term", "values": [...]}``.
    :raises BadRequest: an unknown or malformed condition.
    """
    if not isinstance(condition, dict) or condition.get("type") not in CONDITION_TYPES:
        raise BadRequest(f"Unsupported condition: {condition!r}.")
    return CONDITION_TYPES[condition["type"]](values, condition)
