"""Lead and opportunity statuses by ``stat_`` id or by label.

Labels are what people type; Close recommends sending ``status_id`` (close-api.md §6.1,
§6.9). :class:`StatusResolver` lists ``/status/lead/`` or ``/status/opportunity/`` once per
instance and maps a label (exact, then case-insensitive) or an id to the id. Unknown labels
are errors that list the known labels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

from airflow_provider_close.client.errors import ClosePayloadError
from airflow_provider_close.client.payloads.ids import looks_like_id

if TYPE_CHECKING:
    from airflow_provider_close.client import CloseClient

__all__ = ["StatusKind", "StatusResolver"]

StatusKind = Literal["lead", "opportunity"]

_MAX_STATUSES: Final = 5000


class StatusResolver:
    """Resolve lead or opportunity statuses given by id or label to their ``stat_`` id.

    :param client: a ``CloseClient`` (``hook.client``); only ``iter_items`` is used.
    :param kind: ``lead`` or ``opportunity``.
    :param pipeline_id: for opportunities, only consider this pipeline's statuses (labels
        may repeat across pipelines).
    """

    def __init__(
        self, client: CloseClient, kind: StatusKind, *, pipeline_id: str | None = None
    ) -> None:
        self._client = client
        self.kind: StatusKind = kind
        self.pipeline_id = pipeline_id
        self._labels_by_id: dict[str, str] | None = None

    def _statuses(self) -> dict[str, str]:
        """Return status id -> label, fetched on first use."""
        if self._labels_by_id is None:
            items = self._client.iter_items(f"status/{self.kind}/", max_items=_MAX_STATUSES)
            self._labels_by_id = {
                str(item["id"]): str(item.get("label", ""))
                for item in items
                if self.pipeline_id is None or item.get("pipeline_id") == self.pipeline_id
            }
        return self._labels_by_id

    def known_labels(self) -> list[str]:
        """Return the labels of the statuses, sorted."""
        return sorted(self._statuses().values(), key=str.lower)

    def _unknown(self, given: object) -> ClosePayloadError:
        labels = ", ".join(repr(label) for label in self.known_labels()) or "(none defined)"
        return ClosePayloadError(
            f"{self.kind}.status",
            given,
            f"a {self.kind} status id or label; known labels: {labels}",
        )

    def _id_for_label(self, label: str) -> str:
        statuses = self._statuses()
        for folded in (False, True):
            matches = [
                status_id
                for status_id, known in statuses.items()
                if (known.casefold() == label.casefold() if folded else known == label)
            ]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise ClosePayloadError(
                    f"{self.kind}.status",
                    label,
                    f"a unique label (give the stat_ id or a pipeline_id); ids: {sorted(matches)}",
                )
        raise self._unknown(label)

    def status_id_for(self, id_or_label: str) -> str:
        """Return the ``stat_…`` id of a status given by id or label.

        :param id_or_label: e.g. ``"Potential"`` or ``"stat_…"``; an id must exist.
        """
        text = id_or_label.strip() if isinstance(id_or_label, str) else ""
        if not text:
            raise self._unknown(id_or_label)
        if looks_like_id("status", text):
            if text not in self._statuses():
                raise self._unknown(id_or_label)
            return text
        return self._id_for_label(text)
