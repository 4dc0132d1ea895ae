"""``bulk.writes.apply_plan`` against the sandbox: a create under a known lead whose every
response is lost is sent ``write_attempts`` times, looked for after each, then failed."""

from __future__ import annotations

from typing import Any

from airflow_provider_close.bulk.engine import UpsertOptions
from airflow_provider_close.bulk.plan import RowPlan
from airflow_provider_close.bulk.writes import apply_plan
from airflow_provider_close.client.asynchronous import AsyncCloseClient
from airflow_provider_close.client.retry import RetryPolicy
from airflow_provider_close.sandbox import CloseSandbox, Fault


async def test_a_create_under_a_lead_lost_at_every_send_fails_after_write_attempts(
    seeded_sandbox: CloseSandbox,
) -> None:
    lead_id = next(iter(seeded_sandbox.state.leads))
    seeded_sandbox.add_fault(Fault("drop_before", method="POST", path="/contact/"))
    plan = RowPlan(
        index=0,
        key="lost@example.com",
        action="create",
        create={"name": "Lost", "emails": [{"email": "lost@example.com"}]},
        parent_id=lead_id,
    )
    looked_for: list[int] = []

    async def recover(_client: AsyncCloseClient, row: RowPlan) -> dict[str, Any] | None:
        looked_for.append(row.index)
        return None  # drop_before: Close never saw the create

    retry = RetryPolicy(max_attempts=2, max_total_wait=10.0, backoff_base=0.01, backoff_max=0.05)
    client = AsyncCloseClient(
        api_key=seeded_sandbox.api_key, base_url=seeded_sandbox.api_url, retry=retry, timeout=5.0
    )
    async with client:
        options = UpsertOptions(write_attempts=3)
        result = await apply_plan(client, plan, options, path="contact/", recover=recover)
    assert result["action"] == "failed"
    assert "all 3 sends was lost" in str(result["error"])
    posts = [
        r for r in seeded_sandbox.requests if r.method == "POST" and r.path.endswith("/contact/")
    ]
    assert len(posts) == 3  # write_attempts, not the default 5
    assert looked_for == [0, 0, 0]  # the lead's list was checked after each lost send
