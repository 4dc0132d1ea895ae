"""Where OAuth tokens live between tasks, and the lock that lets one worker refresh at a time.

``TokenStore`` is what :class:`~.oauth_auth.OAuthRefreshAuth` needs: ``load``, ``save`` and a
lease (``acquire``/``release``). Two implementations, neither importing Airflow:

* :class:`MemoryTokenStore`: one process (the default when no store is injected).
* :class:`KeyValueTokenStore`: any last-write-wins key-value store shared by every worker,
  e.g. Airflow Variables (``hooks/oauth_store.py``). Such stores offer no compare-and-swap,
  so the lock is a **lease claimed by write-then-verify**: write ``{owner, until}`` when the
  lease is free or expired, wait ``settle`` seconds, read it back; whoever reads their own
  claim holds it. Two claims can both verify only if one was written more than ``settle``
  seconds after its free-check; even then Close's rotation is the final arbiter (the second
  refresh gets ``invalid_grant``, re-reads the store and adopts the winner's tokens, see
  :class:`~.oauth.Refresh`).
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from airflow_provider_close.client.oauth import CloseOAuthError, OAuthTokens

__all__ = [
    "KeyValue",
    "KeyValueTokenStore",
    "Lease",
    "MemoryTokenStore",
    "TokenStore",
]


@dataclass(frozen=True)
class Lease:
    """The outcome of :meth:`TokenStore.acquire`.

    :param held: this worker holds the lock and may refresh.
    :param owner: the claim written (release only removes this one).
    """

    held: bool
    owner: str = ""


class TokenStore(Protocol):
    """Shared OAuth token state plus a one-refresher-at-a-time lock (blocking calls)."""

    def load(self) -> OAuthTokens | None:
        """Return the stored tokens, or ``None`` when nothing is stored yet."""

    def save(self, tokens: OAuthTokens) -> None:
        """Store ``tokens`` so every worker finds them; raise if they cannot be read back."""

    def acquire(self) -> Lease:
        """Take the lock, or wait until whoever holds it lets go (then ``held`` is False)."""

    def release(self, lease: Lease) -> None:
        """Let go of a held lease."""


class MemoryTokenStore:
    """Tokens in this process only: rotation survives as long as the process does.

    :param tokens: the initial tokens, if any.
    """

    def __init__(self, tokens: OAuthTokens | None = None) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()

    def load(self) -> OAuthTokens | None:
        """Return the tokens held."""
        return self._tokens

    def save(self, tokens: OAuthTokens) -> None:
        """Replace the tokens held.

        :param tokens: the new tokens.
        """
        self._tokens = tokens

    def acquire(self) -> Lease:
        """Take the process-wide lock."""
        self._lock.acquire()
        return Lease(held=True)

    def release(self, lease: Lease) -> None:
        """Let go of the lock.

        :param lease: the lease from :meth:`acquire`.
        """
        if lease.held:
            self._lock.release()


class KeyValue(Protocol):
    """A shared string store with last-write-wins semantics (e.g. Airflow Variables)."""

    def get(self, key: str) -> str | None:
        """Return the value, or ``None`` when absent."""

    def set(self, key: str, value: str) -> None:
        """Write the value."""

    def delete(self, key: str) -> None:
        """Remove the key (absent keys are fine)."""

    def read_only_reason(self, key: str) -> str | None:
        """Return why writes to ``key`` would not read back (e.g. a shadowing backend), if so."""


class KeyValueTokenStore:
    """Tokens under ``key`` and a lease under ``key + "__lock"`` in a shared key-value store.

    :param kv: the key-value store.
    :param key: where the tokens live.
    :param label: what errors call the credentials, e.g. ``connection 'close_default'``.
    :param lease_seconds: how long a claim stands if its owner dies mid-refresh.
    :param settle_seconds: how long to wait before reading a claim back.
    :param wait_seconds: give up waiting for another worker's refresh after this long
        (counted in polls, so a stalled clock cannot make a worker wait forever).
    :param poll_seconds: how often a waiting worker looks again.
    :param clock: epoch seconds, shared by every worker (leases compare across machines).
    :param sleep: the sleep between looks.
    """

    def __init__(
        self,
        kv: KeyValue,
        key: str,
        *,
        label: str,
        lease_seconds: float = 60.0,
        settle_seconds: float = 0.5,
        wait_seconds: float = 120.0,
        poll_seconds: float = 0.25,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._kv = kv
        self.key, self.lock_key = key, f"{key}__lock"
        self._label = label
        self._lease, self._settle = lease_seconds, settle_seconds
        self._wait, self._poll = wait_seconds, poll_seconds
        self._clock, self._sleep = clock, sleep

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key={self.key!r})"

    def load(self) -> OAuthTokens | None:
        """Return the stored tokens, or ``None``."""
        raw = self._kv.get(self.key)
        if raw is None or not raw.strip():
            return None
        try:
            return OAuthTokens.from_json(raw)
        except ValueError:
            raise CloseOAuthError(
                f"{self._label}: the token store {self.key!r} holds something that is not a "
                "token record; delete it to start again from the connection's refresh token",
                reason="store",
            ) from None

    def save(self, tokens: OAuthTokens) -> None:
        """Write the tokens and check that they read back (a shadowing backend would not).

        :param tokens: the new tokens.
        """
        text = tokens.to_json()
        self._kv.set(self.key, text)
        if self._kv.get(self.key) != text:
            raise CloseOAuthError(
                f"{self._label}: the rotated refresh token was written to {self.key!r} but "
                "reads back different (a read-only secrets backend defines that key and "
                "shadows it); remove the key from that backend and authorise again",
                reason="store",
            )

    def acquire(self) -> Lease:
        """Claim the lease, or wait until another worker's claim is gone."""
        owner = uuid.uuid4().hex
        looks_left = max(1, math.ceil(self._wait / self._poll))
        someone_else = False
        while True:
            claim = self._claim()
            if claim is None:
                if someone_else:
                    return Lease(held=False)
                if self._claimed(owner):
                    lease = Lease(held=True, owner=owner)
                    self._refuse_if_read_only(lease)
                    return lease
            someone_else = True
            looks_left -= 1
            if looks_left <= 0:
                raise CloseOAuthError(
                    f"{self._label}: gave up after {self._wait:g} s waiting for another "
                    f"worker to finish refreshing the OAuth token (lock {self.lock_key!r})",
                    reason="lock",
                )
            self._sleep(self._poll)

    def release(self, lease: Lease) -> None:
        """Remove our claim (a claim someone else wrote since is left alone).

        :param lease: the lease from :meth:`acquire`.
        """
        if lease.held and self._owner() == lease.owner:
            self._kv.delete(self.lock_key)

    def _refuse_if_read_only(self, lease: Lease) -> None:
        """Raise before any refresh when the rotated tokens could not be stored."""
        reason = self._kv.read_only_reason(self.key)
        if reason is None:
            return
        self.release(lease)
        raise CloseOAuthError(
            f"{self._label}: not refreshing the OAuth token, because the rotated refresh token "
            f"could not be stored: {reason}. Refreshing would revoke the current refresh "
            f"token; remove {self.key!r} from that backend",
            reason="store",
        )

    def _claimed(self, owner: str) -> bool:
        """Write our claim, let rival writes land, and return whether ours survived."""
        until = self._clock() + self._lease
        self._kv.set(self.lock_key, json.dumps({"owner": owner, "until": until}))
        self._sleep(self._settle)
        return self._owner() == owner

    def _claim(self) -> str | None:
        """Return the owner of a standing (unexpired) claim, else ``None``."""
        owner, until = self._read_claim()
        return owner if until > self._clock() else None

    def _owner(self) -> str | None:
        """Return the owner of the claim written last, expired or not."""
        return self._read_claim()[0]

    def _read_claim(self) -> tuple[str | None, float]:
        """Return ``(owner, until)`` of the lock key; ``(None, 0)`` when absent or garbled."""
        raw = self._kv.get(self.lock_key)
        try:
            claim = json.loads(raw) if raw else None
        except ValueError:
            claim = None
        if not isinstance(claim, dict) or not isinstance(claim.get("until"), int | float):
            return None, 0.0
        return str(claim.get("owner")), float(claim["until"])
