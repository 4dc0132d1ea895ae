"""Test doubles shared by the operator tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class FakeTaskInstance:
    """The part of a task instance the Close operators use: ``try_number``, ``start_date``
    (this try's start; ``None`` here means "now") and XCom pushes."""

    try_number: int = 1
    start_date: datetime | None = None
    pushed: dict[str, Any] = field(default_factory=dict)

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value
