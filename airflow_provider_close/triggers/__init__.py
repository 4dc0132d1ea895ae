"""Close triggers.

* :mod:`.new_activity`: :class:`~.new_activity.CloseNewActivityTrigger`.

The pure query plan, predicate and error policy the triggers share with the sensors live in
:mod:`airflow_provider_close.watch`. Import the trigger from its module; this package module
stays free of Airflow imports.
"""

from __future__ import annotations

__all__: list[str] = []
