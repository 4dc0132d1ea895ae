"""Counters of the change extraction's walks.

The walks themselves are the client's one keyset walk (:mod:`airflow_provider_close.client.keyset`,
driven by :mod:`~airflow_provider_close.extraction.change_queries`): each page resumes at the
last key value read, the rows re-read at that value are dropped by id, and page sizes Close
refuses (``max_limit = N``) are learned.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KeysetStats"]


@dataclass
class KeysetStats:
    """Counters of keyset walks.

    :param requests: pages fetched.
    :param rows: rows yielded.
    :param reread: rows read again at a page boundary (same key) and dropped.
    """

    requests: int = 0
    rows: int = 0
    reread: int = 0
