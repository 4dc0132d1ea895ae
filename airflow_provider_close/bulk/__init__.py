"""The bulk warehouse-to-Close engine (no Airflow imports, except ``airflow_sources``).

``mapping`` (row -> lead), ``diff`` (what differs), ``plan`` (per-row decision, per object
kind), ``modes`` (sync modes, fill only when empty), ``writes`` (one row's writes, unknown
outcomes resolved), ``engine`` (lead upsert orchestration), ``child_engine`` (contacts and
opportunities under their leads, with ``contact_kind``/``contact_lookup`` and
``opportunity_kind``),
``activities_engine`` (de-duplicated bulk activities), ``concurrency`` (pacing and
concurrency from the live rate budget), ``progress``, ``results`` (result file, summary,
threshold), ``readers`` (rows, JSONL, CSV) and ``resolve`` (names to Close keys).
``airflow_sources`` holds the Airflow-only inputs (SQL connections, ``ObjectStoragePath``).
"""

from __future__ import annotations

__all__: list[str] = []
