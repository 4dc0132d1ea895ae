"""CPU cost per row of the payload builders (pydantic models), against their plain checks.

The bulk engines build one payload per row, so a builder's cost is a per-row cost. Baseline:
the same row checked by calling the plain checks (``check_id``, ``e164_phone``, ...) by hand
and assembling the dict, which is what the builders did before they became models (issue 17);
the difference is what the model layer (pydantic, the adapter, ``model_dump``) adds.

    .venv/bin/python benchmarks/bench_payloads.py
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from airflow_provider_close.client.payloads import (
    build_call_payload,
    build_email_payload,
    build_lead_payload,
    build_opportunity_payload,
)
from airflow_provider_close.client.payloads.contact_points import e164_phone
from airflow_provider_close.client.payloads.dates import iso_date, iso_datetime
from airflow_provider_close.client.payloads.enums import (
    CALL_DIRECTIONS,
    CALL_STATUSES,
    check_choice,
)
from airflow_provider_close.client.payloads.ids import check_id
from airflow_provider_close.client.payloads.money import value_in_cents
from airflow_provider_close.client.payloads.scalars import bounded_int
from airflow_provider_close.client.payloads.text import note_or_html

__all__ = ["run"]

ROWS = 5_000
REPEATS = 5
LEAD = "lead_" + "L" * 43
CALL = {
    "lead_id": LEAD,
    "direction": "outbound",
    "duration": "95",
    "phone": "+1 415 555 0123",
    "note_html": "<p>Pricing</p>",
    "activity_at": "2026-03-10T15:00:00+00:00",
}
OPPORTUNITY = {
    "lead_id": LEAD,
    "value": "499.99",
    "value_unit": "units",
    "confidence": 50,
    "date_won": "2026-03-10",
}


def _call_by_hand() -> dict[str, object]:
    return {
        "lead_id": check_id("call.lead_id", CALL["lead_id"], "lead"),
        "direction": check_choice("call.direction", CALL["direction"], CALL_DIRECTIONS),
        "status": check_choice("call.status", "completed", CALL_STATUSES),
        "duration": bounded_int("call.duration", CALL["duration"], minimum=0, maximum=604800),
        "phone": e164_phone("call.phone", CALL["phone"]),
        "activity_at": iso_datetime("call.activity_at", CALL["activity_at"]),
        **note_or_html("call", None, CALL["note_html"], required=False),
    }


def _opportunity_by_hand() -> dict[str, object]:
    return {
        "lead_id": check_id("opportunity.lead_id", LEAD, "lead"),
        "value": value_in_cents("opportunity", OPPORTUNITY["value"], "units"),
        "confidence": bounded_int("opportunity.confidence", 50, minimum=0, maximum=100),
        "date_won": iso_date("opportunity.date_won", OPPORTUNITY["date_won"]),
    }


def _lead() -> dict[str, object]:
    return build_lead_payload(
        name="Acme",
        url="https://acme.example",
        status_label="Potential",
        contacts=[
            {"name": "Wile", "emails": ["wile@acme.example"], "phones": ["+14155550123"]},
            {"name": "Road", "emails": [{"email": "road@acme.example", "type": "home"}]},
        ],
        addresses=[{"city": "Paris", "country": "FR"}],
    )


def _email() -> object:
    return build_email_payload(
        mode="send", lead_id=LEAD, sender="a@b.co", to=["c@d.co"], subject="Hi", body_text="x"
    )


def _us_per_row(build: Callable[[], object]) -> float:
    runs = []
    for _ in range(REPEATS):
        started = time.process_time()
        for _ in range(ROWS):
            build()
        runs.append((time.process_time() - started) / ROWS * 1e6)
    return statistics.median(runs)


def run() -> list[dict[str, object]]:
    """Return one row per builder: model and plain-check cost in CPU microseconds per row."""
    assert build_call_payload(**CALL) == {
        **_call_by_hand(),
        "note_html": "<body><p>Pricing</p></body>",
    }
    assert build_opportunity_payload(**OPPORTUNITY) == _opportunity_by_hand()
    cases: list[tuple[str, Callable[[], object], Callable[[], object] | None]] = [
        ("call", lambda: build_call_payload(**CALL), _call_by_hand),
        ("opportunity", lambda: build_opportunity_payload(**OPPORTUNITY), _opportunity_by_hand),
        ("lead + 2 contacts + address", _lead, None),
        ("email (send)", _email, None),
    ]
    rows: list[dict[str, object]] = []
    for name, model, by_hand in cases:
        cost = _us_per_row(model)
        baseline = _us_per_row(by_hand) if by_hand is not None else None
        rows.append(
            {
                "builder": name,
                "model us/row": cost,
                "plain checks us/row": "" if baseline is None else baseline,
                "ratio": "" if baseline is None else cost / baseline,
            }
        )
    return rows


if __name__ == "__main__":
    from table import format_table

    print(format_table(run()))
