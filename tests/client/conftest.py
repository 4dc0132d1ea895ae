"""Client fixtures: clients pointed at the sandbox, with sleeps recorded instead of slept."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from airflow_provider_close.client import AsyncCloseClient, CloseClient, RetryPolicy, no_jitter
from airflow_provider_close.sandbox import CloseSandbox

#: Deterministic: no jitter, so a wait equals what the server asked for.
TEST_POLICY = RetryPolicy(max_attempts=4, max_total_wait=60.0, backoff_base=0.5, jitter=no_jitter)


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the client asked for, in order (nothing is actually slept)."""
    return []


@pytest.fixture
def make_client(sandbox: CloseSandbox, sleeps: list[float]) -> Iterator[Callable[..., CloseClient]]:
    """Build sync clients on the sandbox; closed after the test."""
    made: list[CloseClient] = []

    def make(**kwargs: object) -> CloseClient:
        options: dict[str, object] = {
            "api_key": sandbox.api_key,
            "base_url": sandbox.api_url,
            "retry": TEST_POLICY,
            "sleep": sleeps.append,
            **kwargs,
        }
        client = CloseClient(**options)  # type: ignore[arg-type]
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., CloseClient]) -> CloseClient:
    """A sync client on the sandbox with recorded sleeps."""
    return make_client()


@pytest.fixture
async def async_client(
    sandbox: CloseSandbox, sleeps: list[float]
) -> AsyncIterator[AsyncCloseClient]:
    """An async client on the sandbox with recorded sleeps."""

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async with AsyncCloseClient(
        api_key=sandbox.api_key, base_url=sandbox.api_url, retry=TEST_POLICY, sleep=record
    ) as client:
        yield client


def create_leads(client: CloseClient, count: int, prefix: str = "Lead") -> list[str]:
    """Create ``count`` leads through the client; return their ids in creation order."""
    return [client.post("lead/", {"name": f"{prefix} {n:04d}"})["id"] for n in range(count)]
