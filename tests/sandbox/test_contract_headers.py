"""Contract: the ``RateLimit`` header of responses, and the error for a wrong key."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.sandbox.contract_report import ContractRecorder
from tests.sandbox.fixtures.api import api
from tests.sandbox.live_target import ContractTarget

__all__ = ["api"]

pytestmark = pytest.mark.live

#: ``limit=100, remaining=50, reset=5``; Close's reset may be a decimal, some reports use ``;``.
RATE_LIMIT = re.compile(r"^limit=\d+[,;] ?remaining=\d+[,;] ?reset=\d+(\.\d+)?$")


@pytest.mark.parametrize(
    ("path", "params"),
    [("me/", {}), ("lead/", {"_limit": 1}), ("activity/call/", {"_limit": 1})],
)
def test_responses_carry_the_rate_limit_of_their_group(
    api: httpx.Client, path: str, params: dict[str, int]
) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    assert RATE_LIMIT.match(response.headers["ratelimit"]), response.headers["ratelimit"]


def test_a_wrong_key_is_401_with_an_error_message(
    target: ContractTarget, recorder: ContractRecorder
) -> None:
    wrong = httpx.Client(
        base_url=target.api_url,
        auth=("sk_contract_test_wrong_key_00000000", ""),
        timeout=30.0,
        event_hooks=recorder.hooks(),
    )
    with wrong:
        response = wrong.get("me/")
    assert response.status_code == 401
    assert isinstance(response.json()["error"], str)
