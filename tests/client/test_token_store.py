"""Token stores: the in-process one and the write-then-verify lease over a key-value store."""

from __future__ import annotations

import json

import pytest

from airflow_provider_close.client.auth import Secret
from airflow_provider_close.client.oauth import CloseOAuthError, OAuthTokens
from airflow_provider_close.client.token_store import KeyValueTokenStore, MemoryTokenStore

TOKENS = OAuthTokens(Secret("refresh_SENTINEL_store"), Secret("a"), 10.0, 20.0, "fp", 1)


class DictKV:
    """Last write wins; ``on_set`` lets a test play a rival writer."""

    def __init__(self) -> None:
        self.data: dict[str, str] = {}
        self.on_set = lambda _key, _value: None
        self.shadowed: set[str] = set()

    def get(self, key: str) -> str | None:
        return self.data.get(key)

    def set(self, key: str, value: str) -> None:
        self.data[key] = value
        self.on_set(key, value)

    def delete(self, key: str) -> None:
        self.data.pop(key, None)

    def read_only_reason(self, key: str) -> str | None:
        return "EnvironmentVariablesBackend defines it" if key in self.shadowed else None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _store(kv: DictKV, clock: Clock, **options: float) -> KeyValueTokenStore:
    return KeyValueTokenStore(
        kv, "tok", label="connection 'c'", clock=lambda: clock.now, sleep=clock.sleep, **options
    )


def test_memory_store_round_trip() -> None:
    store = MemoryTokenStore()
    assert store.load() is None
    store.save(TOKENS)
    lease = store.acquire()
    assert lease.held
    assert store.load() == TOKENS
    store.release(lease)


def test_tokens_round_trip_through_the_key_value_store() -> None:
    kv, clock = DictKV(), Clock()
    store = _store(kv, clock)
    assert store.load() is None
    store.save(TOKENS)
    assert store.load() == TOKENS
    assert "SENTINEL" not in repr(store)


def test_a_free_lease_is_claimed_after_settling_and_released() -> None:
    kv, clock = DictKV(), Clock()
    store = _store(kv, clock, settle_seconds=0.5)
    lease = store.acquire()
    assert lease.held
    assert clock.slept == [0.5]
    assert json.loads(kv.data["tok__lock"])["owner"] == lease.owner
    store.release(lease)
    assert "tok__lock" not in kv.data


def test_a_claim_overwritten_while_settling_is_lost_and_then_waited_out() -> None:
    kv, clock = DictKV(), Clock()
    store = _store(kv, clock, settle_seconds=0.5, poll_seconds=1)

    def rival(key: str, _value: str) -> None:
        if key == "tok__lock" and "rival" not in kv.data[key]:
            kv.data[key] = json.dumps({"owner": "rival", "until": clock.now + 2})

    kv.on_set = rival
    lease = store.acquire()
    assert not lease.held  # the rival's claim expired while we waited: look at the store again
    store.release(lease)
    assert "rival" in kv.data["tok__lock"]  # never removes someone else's claim


def test_a_standing_claim_is_waited_for_and_an_expired_one_taken_over() -> None:
    kv, clock = DictKV(), Clock()
    kv.data["tok__lock"] = json.dumps({"owner": "dead", "until": clock.now - 1})
    assert _store(kv, clock).acquire().held
    kv.data["tok__lock"] = json.dumps({"owner": "busy", "until": clock.now + 3600})
    with pytest.raises(CloseOAuthError, match=r"connection 'c'.*gave up after 2 s") as excinfo:
        _store(kv, clock, wait_seconds=2, poll_seconds=0.5).acquire()
    assert excinfo.value.reason == "lock"


def test_a_save_that_does_not_read_back_fails_naming_the_connection() -> None:
    kv, clock = DictKV(), Clock()

    def shadow(key: str, _value: str) -> None:  # a read-only backend answers reads first
        kv.data[key] = "{}"

    kv.on_set = shadow
    with pytest.raises(CloseOAuthError, match=r"connection 'c'.*read-only secrets backend"):
        _store(kv, clock).save(TOKENS)


def test_a_garbled_record_is_a_clear_error() -> None:
    kv, clock = DictKV(), Clock()
    kv.data["tok"] = "not json"
    with pytest.raises(CloseOAuthError, match=r"connection 'c'.*not a token record"):
        _store(kv, clock).load()


def test_no_lease_is_granted_when_the_tokens_could_not_be_stored() -> None:
    kv, clock = DictKV(), Clock()
    kv.shadowed.add("tok")
    with pytest.raises(CloseOAuthError, match=r"connection 'c': not refreshing.*Environment"):
        _store(kv, clock).acquire()
    assert "tok__lock" not in kv.data  # the claim was released
