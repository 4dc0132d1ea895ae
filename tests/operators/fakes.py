"""Test doubles shared by the operator tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeTaskInstance:
    """The part of a task instance the Close operators use: ``try_number`` and XCom pushes."""

    try_number: int = 1
    pushed: dict[str, Any] = field(default_factory=dict)

    def xcom_push(self, key: str, value: Any) -> None:
        self.pushed[key] = value
