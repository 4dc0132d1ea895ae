"""What sensors and triggers watch for, as pure code both of them (and operators) import.

* :mod:`.activity_query`: activity filter validation and the query plan (pure).
* :mod:`.activity_predicate`: the new-activity predicate (pure).
* :mod:`.error_policy`: fatal versus transient errors while waiting (pure).

Nothing here imports Airflow, so the sensors, the triggers and the extraction operator share
one copy without reaching into each other's packages.
"""

from __future__ import annotations

__all__: list[str] = []
