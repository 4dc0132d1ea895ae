"""What sensors and triggers watch for, as pure code both of them (and operators) import.

* :mod:`.activity_query`: activity filter validation and the query plan (pure).
* :mod:`.activity_predicate`: the new-activity predicate (pure).
* :mod:`.activity_walk`: a keyset walk over one activity list, exact under change (pure).
* :mod:`.activity_count`: the count kept across polls, reading only what is new (pure).
* :mod:`.activity_fetch`: one poll through the sync or the async client (sends the walk's
  requests; the only module here that does I/O).
* :mod:`.error_policy`: fatal versus transient errors while waiting (pure).

Nothing here imports Airflow, so the sensors, the triggers and the extraction operator share
one copy without reaching into each other's packages.
"""

from __future__ import annotations

__all__: list[str] = []
