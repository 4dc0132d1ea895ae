"""Three tasks in separate processes share one refreshing OAuth connection for several token
lifetimes: no request fails, one refresh per expiry, the rotated token persisted, no leaks.

The workers keep tokens in a file-backed last-write-wins store (what Airflow Variables offer
tasks through the Execution API); the Variable binding itself is tested in a real Airflow task
in ``test_oauth_variable_store.py``. Time is the sandbox clock: frozen, moved on by the workers
by ``STEP`` after each request, so the run is about sandbox time, not wall time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import httpx
import pytest

from airflow_provider_close.client import CloseClient
from airflow_provider_close.hooks.oauth_store import token_store_key
from airflow_provider_close.sandbox import CloseSandbox

WORKER = Path(__file__).with_name("oauth_worker.py")
LIFETIME = 4.0  # sandbox seconds; the client refreshes a quarter lifetime early
MARGIN = LIFETIME / 4
STEP = 0.1
REQUESTS = 80  # per worker: 3 x 80 x 0.1 = 24 sandbox seconds = 6 lifetimes
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def oauth_sandbox(request: pytest.FixtureRequest) -> Iterator[CloseSandbox]:
    revoke = bool(getattr(request, "param", True))
    with CloseSandbox(access_token_lifetime=LIFETIME, revoke_access_on_refresh=revoke) as sb:
        sb.clock.set(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
        # a slow token endpoint: the others reach their refresh point while one refreshes
        sb.oauth.configure(token_delay_ms=150)
        yield sb


def _run_workers(sb: CloseSandbox, store_dir: Path, refresh_token: str) -> list[dict[str, object]]:
    config = {
        "url": sb.url,
        "client_id": sb.oauth_client_id,
        "client_secret": sb.oauth_client_secret,
        "refresh_token": refresh_token,
        "store_dir": str(store_dir),
        "requests": REQUESTS,
        "step": STEP,
    }
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    logs = [store_dir.parent / f"worker-{n}.log" for n in range(3)]
    procs = []
    for log in logs:
        with log.open("w") as sink:  # files, not pipes: a full pipe would stall a worker
            procs.append(
                subprocess.Popen(
                    [sys.executable, str(WORKER), json.dumps(config)],
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    env=env,
                )
            )
    results = []
    for proc, log in zip(procs, logs, strict=True):
        proc.wait(timeout=240)
        text = log.read_text()
        assert proc.returncode == 0, text[-3000:]
        results.append({**json.loads(text.strip().splitlines()[-1]), "log": text})
    return results


@pytest.mark.parametrize("oauth_sandbox", [True, False], indirect=True, ids=["revoking", "lenient"])
def test_three_processes_share_one_rotating_token(
    oauth_sandbox: CloseSandbox, tmp_path: Path
) -> None:
    sb = oauth_sandbox
    start = sb.clock.now()
    bootstrap = str(sb.issue_oauth_tokens()["refresh_token"])
    store = tmp_path / "store"
    store.mkdir()
    results = _run_workers(sb, store, bootstrap)

    # 0 requests fail; with lenient revocation Close never even answers 401
    assert [r["errors"] for r in results] == [[], [], []]
    assert sum(int(str(r["ok"])) for r in results) == 3 * REQUESTS
    api = [r for r in sb.requests if r.path == "/me/"]
    unauthorized = [r for r in api if r.status == 401]
    if not sb.oauth.revoke_access_on_refresh:
        assert unauthorized == []
    assert len(api) == 3 * REQUESTS + len(unauthorized)  # each 401 re-sent once, then fine

    # exactly one refresh per expiry: every grant succeeded, spaced one refresh period apart
    grants = sb.oauth.grants
    assert {g.outcome for g in grants} == {"granted"}
    times = [(g.at - start).total_seconds() for g in grants]
    gaps = [later - earlier for earlier, later in pairwise(times)]
    assert all(LIFETIME - MARGIN - 1e-6 <= gap < LIFETIME for gap in gaps), gaps
    elapsed = (sb.clock.now() - start).total_seconds()
    assert elapsed > 5 * LIFETIME
    assert len(grants) >= elapsed // LIFETIME
    assert sum(int(str(r["refreshes"])) for r in results) == len(grants)

    # the rotated token persisted: the store holds the one live refresh token
    stored = json.loads((store / token_store_key("close_oauth")).read_text())
    assert sb.oauth.is_live_refresh_token(stored["refresh_token"])
    assert not sb.oauth.is_live_refresh_token(bootstrap)
    assert not (store / f"{token_store_key('close_oauth')}__lock").exists()

    # no secret in any worker's output (logs, reprs, summaries)
    secrets = {sb.oauth_client_secret, *sb.oauth.token_texts()}
    for result in results:
        assert not [s for s in secrets if s in str(result["log"])]


def test_the_next_task_continues_from_the_stored_token(
    oauth_sandbox: CloseSandbox, tmp_path: Path
) -> None:
    """A later process starts from the stored (rotated) token, not the revoked bootstrap."""
    sb = oauth_sandbox
    bootstrap = str(sb.issue_oauth_tokens()["refresh_token"])
    sys.path.insert(0, str(WORKER.parent))
    try:
        from oauth_worker import file_store  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(WORKER.parent))
    from airflow_provider_close.hooks.settings import settings_from_connection

    extra = {
        "auth_type": "oauth",
        "client_id": sb.oauth_client_id,
        "client_secret": sb.oauth_client_secret,
        "refresh_token": bootstrap,
    }
    with httpx.Client(base_url=sb.url) as control:
        for _task in range(3):  # three tasks, one after another, each past an expiry
            settings = settings_from_connection(sb.url, None, extra, "close_oauth")
            assert settings.oauth is not None
            auth = settings.oauth.auth(
                settings.base_url,
                file_store(tmp_path, "close_oauth", control),
                clock=lambda: sb.clock.now().timestamp(),
            )
            with CloseClient(auth=auth, base_url=settings.base_url) as client:
                client.get("me/")
            sb.clock.advance(LIFETIME + 1)
    assert [g.outcome for g in sb.oauth.grants] == ["granted"] * 3
    assert [r.status for r in sb.requests] == [200] * 3
