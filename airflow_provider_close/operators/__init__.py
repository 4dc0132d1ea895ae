"""Close operators, grouped by resource. Importing this package imports nothing heavy.

The write operators are re-exported lazily (``from airflow_provider_close.operators import
CloseCreateCallOperator`` imports only ``operators.activities``). The other groups live in
their modules: ``operators.reads*`` (gets, lists, searches), ``operators.emails``,
``operators.bulk`` and ``operators.extract``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from airflow_provider_close.operators.activities import (
        CloseCreateCallOperator,
        CloseCreateSmsOperator,
    )
    from airflow_provider_close.operators.contacts import (
        CloseCreateContactOperator,
        CloseUpdateContactOperator,
    )
    from airflow_provider_close.operators.deletions import (
        CloseDeleteActivityOperator,
        CloseDeleteCallOperator,
        CloseDeleteLeadOperator,
        CloseDeleteTaskOperator,
    )
    from airflow_provider_close.operators.leads import (
        CloseCreateLeadOperator,
        CloseGetLeadOperator,
        CloseUpdateLeadOperator,
    )
    from airflow_provider_close.operators.notes import (
        CloseCreateNoteOperator,
        CloseGetNoteOperator,
    )
    from airflow_provider_close.operators.opportunities import (
        CloseCreateOpportunityOperator,
        CloseUpdateOpportunityOperator,
    )
    from airflow_provider_close.operators.request import CloseRequestOperator
    from airflow_provider_close.operators.tasks import (
        CloseCreateTaskOperator,
        CloseUpdateTaskOperator,
    )

__all__ = [
    "CloseCreateCallOperator",
    "CloseCreateContactOperator",
    "CloseCreateLeadOperator",
    "CloseCreateNoteOperator",
    "CloseCreateOpportunityOperator",
    "CloseCreateSmsOperator",
    "CloseCreateTaskOperator",
    "CloseDeleteActivityOperator",
    "CloseDeleteCallOperator",
    "CloseDeleteLeadOperator",
    "CloseDeleteTaskOperator",
    "CloseGetLeadOperator",
    "CloseGetNoteOperator",
    "CloseRequestOperator",
    "CloseUpdateContactOperator",
    "CloseUpdateLeadOperator",
    "CloseUpdateOpportunityOperator",
    "CloseUpdateTaskOperator",
]

#: Public name -> the module (under this package) that defines it.
_MODULES: Final[dict[str, str]] = {
    "CloseCreateCallOperator": "activities",
    "CloseCreateSmsOperator": "activities",
    "CloseCreateContactOperator": "contacts",
    "CloseUpdateContactOperator": "contacts",
    "CloseDeleteActivityOperator": "deletions",
    "CloseDeleteCallOperator": "deletions",
    "CloseDeleteLeadOperator": "deletions",
    "CloseDeleteTaskOperator": "deletions",
    "CloseCreateLeadOperator": "leads",
    "CloseGetLeadOperator": "leads",
    "CloseUpdateLeadOperator": "leads",
    "CloseCreateNoteOperator": "notes",
    "CloseGetNoteOperator": "notes",
    "CloseCreateOpportunityOperator": "opportunities",
    "CloseUpdateOpportunityOperator": "opportunities",
    "CloseRequestOperator": "request",
    "CloseCreateTaskOperator": "tasks",
    "CloseUpdateTaskOperator": "tasks",
}


def __getattr__(name: str) -> object:
    """Import the module defining ``name`` on first access (PEP 562).

    :param name: a public operator name.
    """
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    """List the lazily exported names."""
    return sorted(__all__)
