"""Close triggers and the pure check they share with the sensors.

* :mod:`.activity_query`: filter validation and the query plan (pure).
* :mod:`.activity_predicate`: the new-activity predicate (pure).
* :mod:`.error_policy`: fatal versus transient errors (pure).
* :mod:`.new_activity`: :class:`~.new_activity.CloseNewActivityTrigger`.

Import the trigger from its module; this package module stays free of Airflow imports so the
pure parts load cheaply.
"""

from __future__ import annotations

__all__: list[str] = []
