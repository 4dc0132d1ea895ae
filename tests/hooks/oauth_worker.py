"""One "task" of the cross-process OAuth test: a separate process making Close requests.

It parses a refreshing-OAuth connection exactly as the hook does (``settings_from_connection``),
keeps its tokens in a file-backed last-write-wins key-value store (the semantics of Airflow
Variables through the Execution API: get/put/delete, no compare-and-swap), reads time from the
sandbox clock and moves that clock on by ``step`` seconds after every request.

Usage: ``python oauth_worker.py CONFIG_JSON`` (``url``, ``client_id``, ``client_secret``,
``refresh_token``, ``store_dir``, ``requests``, ``step``). Prints one JSON summary line.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import httpx

from airflow_provider_close.client import CloseClient, CloseError
from airflow_provider_close.client.token_store import KeyValueTokenStore
from airflow_provider_close.hooks.oauth_store import token_store_key
from airflow_provider_close.hooks.settings import settings_from_connection


class FileKeyValue:
    """Keys as files in one directory; writes are atomic renames (last write wins)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, key: str) -> str | None:
        try:
            return (self.directory / key).read_text()
        except FileNotFoundError:
            return None

    def set(self, key: str, value: str) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.directory)
        with os.fdopen(fd, "w") as handle:
            handle.write(value)
        os.replace(tmp, self.directory / key)

    def delete(self, key: str) -> None:
        (self.directory / key).unlink(missing_ok=True)

    def read_only_reason(self, key: str) -> str | None:
        return None


def sandbox_clock(control: httpx.Client) -> float:
    """Return the sandbox's time as epoch seconds."""
    now = control.get("/_sandbox/clock").json()["now"]
    return datetime.fromisoformat(now).timestamp()


def file_store(store_dir: Path, conn_id: str, control: httpx.Client) -> KeyValueTokenStore:
    """Return the token store every worker shares."""
    return KeyValueTokenStore(
        FileKeyValue(store_dir),
        token_store_key(conn_id),
        label=f"Close connection {conn_id!r}",
        # The claim's read-back waits the production default: between a worker's free-check
        # and its write there is a clock request, which a loaded machine (the two Airflow
        # versions' suites run side by side) can stall for more than a short settle.
        settle_seconds=0.5,
        poll_seconds=0.02,
        clock=lambda: sandbox_clock(control),
    )


def main(config: dict[str, object]) -> dict[str, object]:
    """Make ``requests`` GET /me/ calls; return what happened."""
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    url = str(config["url"])
    extra = {
        "auth_type": "oauth",
        "client_id": config["client_id"],
        "client_secret": config["client_secret"],
        "refresh_token": config["refresh_token"],
    }
    settings = settings_from_connection(url, None, extra, "close_oauth")
    assert settings.oauth is not None
    errors: list[str] = []
    ok = 0
    with httpx.Client(base_url=url) as control:
        store = file_store(Path(str(config["store_dir"])), "close_oauth", control)
        auth = settings.oauth.auth(settings.base_url, store, clock=lambda: sandbox_clock(control))
        with CloseClient(auth=auth, base_url=settings.base_url) as client:
            for _ in range(int(str(config["requests"]))):
                try:
                    client.get("me/")
                    ok += 1
                except CloseError as err:
                    errors.append(f"{type(err).__name__}: {err}")
                control.post("/_sandbox/clock", json={"advance": config["step"]})
            logging.getLogger("worker").info("done: %r %r", client, auth)
    return {"ok": ok, "errors": errors, "refreshes": auth.refreshes}


if __name__ == "__main__":
    print(json.dumps(main(json.loads(sys.argv[1]))), flush=True)
