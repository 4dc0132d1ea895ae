"""An inverted index of stored leads and contacts, so equality searches do not scan every object.

Close's search is an index: finding 100 leads by an external id costs the same with 100 leads
as with a million. The sandbox evaluated every query on every object, so a lookup's cost grew
with the organisation (1.9 s per 100-value lookup at 80,000 leads), and a bulk upsert into a
large sandbox slowed down as it wrote. :class:`TermIndex` answers "which stored objects have
one of these values in this field" from a per-field map built on the first query that needs
it and kept current on every write (:meth:`written`, called by ``SandboxState.add``,
``change`` and ``remove``); it also keeps each object's place in its store, so narrowed results
come back in the order a full scan would give.

It indexes the **stored** objects. What search sees trails the stores (``search/index.py``):
the objects with writes not yet visible are added to every candidate set by the caller, and
every candidate is still evaluated by the full query, so the index only ever skips objects that
cannot match.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from airflow_provider_close.sandbox.records import Record
from airflow_provider_close.sandbox.search.conditions import words_of
from airflow_provider_close.sandbox.search.objects import SearchObject, field_values

__all__ = ["INDEXED_KINDS", "Analysis", "TermIndex", "field_key", "term_of"]

#: The stores search returns, and the ones indexed here.
INDEXED_KINDS = ("lead", "contact")
#: How a field's values become index terms: whole values (``term``) or their words (``text``).
Analysis = Literal["term", "words"]


def term_of(value: Any) -> str:
    """Return how a ``term`` condition compares a value: as lower-case text.

    :param value: a field value or a wanted value.
    """
    return str(value).lower()


def field_key(field: Mapping[str, Any]) -> str:
    """Return a stable key for a (well-formed) field node.

    :param field: ``{"type": "custom_field", ...}`` or ``{"type": "regular_field", ...}``.
    """
    return json.dumps(field, sort_keys=True, default=str)


class _FieldTerms:
    """One field of one kind: term -> object ids, and each object's indexed terms."""

    def __init__(self, kind: str, field: Mapping[str, Any], analysis: Analysis) -> None:
        self._kind = kind
        self._field = field
        self._terms: Callable[[Any], Iterable[str]] = (
            (lambda value: (term_of(value),)) if analysis == "term" else words_of
        )
        self.by_term: dict[str, set[str]] = {}
        self._of_object: dict[str, frozenset[str]] = {}

    def put(self, object_id: str, record: Record | None) -> None:
        for term in self._of_object.pop(object_id, frozenset()):
            ids = self.by_term[term]
            ids.discard(object_id)
            if not ids:
                del self.by_term[term]
        if record is None:
            return
        values = field_values(SearchObject(self._kind, record), self._field)
        terms = frozenset(term for value in values for term in self._terms(value))
        if terms:
            self._of_object[object_id] = terms
            for term in terms:
                self.by_term.setdefault(term, set()).add(object_id)


class TermIndex:
    """Per kind and field, which stored objects hold which terms; and each object's place.

    Nothing is built until a query needs it; :meth:`clear` (a reset, a seed) drops it all.
    Not thread-safe by itself: used with the sandbox state's lock held.
    """

    def __init__(self) -> None:
        self._fields: dict[tuple[str, str, Analysis], _FieldTerms] = {}
        self._places: dict[str, dict[str, int]] = {}
        self._next_place = 0

    def clear(self) -> None:
        """Forget everything (the stores were replaced or changed in place)."""
        self._fields.clear()
        self._places.clear()

    def written(self, kind: str, object_id: str, after: Record | None) -> None:
        """Note a stored write (``after`` None: a delete) to every index built for ``kind``.

        :param kind: the store written.
        :param object_id: the object's id.
        :param after: its new stored version.
        """
        if kind not in INDEXED_KINDS:
            return
        places = self._places.get(kind)
        if places is not None:
            if after is None:
                places.pop(object_id, None)
            elif object_id not in places:  # a store keeps a replaced key's place
                places[object_id] = self._next_place
                self._next_place += 1
        for (field_kind, _, _), terms in self._fields.items():
            if field_kind == kind:
                terms.put(object_id, after)

    def ids_with_terms(
        self,
        kind: str,
        field: Mapping[str, Any],
        wanted: Iterable[Any],
        stored: Mapping[str, Record],
        analysis: Analysis = "term",
    ) -> set[str]:
        """Return the ids of stored objects whose ``field`` holds one of ``wanted``.

        :param kind: ``lead`` or ``contact``.
        :param field: a well-formed field node (built into an index on first use).
        :param wanted: whole values (``term``: compared as :func:`term_of`) or words
            (``words``: an object holds a word when one of its values has it).
        :param stored: the store of ``kind`` (read once, to build the index).
        :param analysis: what the index of ``field`` holds: whole values or their words.
        """
        key = (kind, field_key(field), analysis)
        terms = self._fields.get(key)
        if terms is None:
            terms = self._fields[key] = _FieldTerms(kind, field, analysis)
            for object_id, record in stored.items():
                terms.put(object_id, record)
        found: set[str] = set()
        for value in wanted:
            found |= terms.by_term.get(term_of(value), set())
        return found

    def place(self, kind: str, stored: Mapping[str, Record]) -> Mapping[str, int]:
        """Return id -> a number that orders the stored objects of ``kind`` as their store does.

        :param kind: ``lead`` or ``contact``.
        :param stored: the store of ``kind`` (read once, to number it).
        """
        places = self._places.get(kind)
        if places is None:
            places = self._places[kind] = {}
            for object_id in stored:
                places[object_id] = self._next_place
                self._next_place += 1
        return places
