"""Run the Close sandbox from the command line until Ctrl-C.

``python -m airflow_provider_close.sandbox --port 8765 --seed demo --rate-limit 20/1
--rate-limit lead:write=5/1 --fault server_error:status=503,path=/lead/*,times=2
--max-skip activity=500 --latency-ms 50 --search-lag 30``

It prints the URL, the API key and an ``AIRFLOW_CONN_CLOSE_DEFAULT`` line to paste into a
shell. Specs: ``--rate-limit [GROUP=]LIMIT/WINDOW``, ``--fault KIND[:OPTION=VALUE,...]`` (see
``faults.py``), ``--max-skip``/``--max-limit RESOURCE=N``. The run-time controls are under
``/_sandbox/``: ``GET /_sandbox/`` lists them (``control_index.py``), and so does ``--help``,
with a curl line that logs a call (what the new-activity sensor waits for).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TextIO, cast

from airflow_provider_close.sandbox.config import (
    RateRule,
    parse_page_limit_spec,
    parse_rate_limit_spec,
)
from airflow_provider_close.sandbox.control import SandboxControls, control_routes
from airflow_provider_close.sandbox.control_index import control_help
from airflow_provider_close.sandbox.faults import Fault, parse_fault_spec
from airflow_provider_close.sandbox.oauth import DEFAULT_ACCESS_TOKEN_LIFETIME
from airflow_provider_close.sandbox.server import CloseSandbox

__all__ = ["main", "sandbox_from_args"]


def _argument_parser() -> argparse.ArgumentParser:
    """Return the CLI's argument parser."""
    parser = argparse.ArgumentParser(
        prog="python -m airflow_provider_close.sandbox",
        description="Serve a local, stateful emulation of the Close REST API.",
        epilog=control_help(control_routes(cast(SandboxControls, None))),  # routes only read
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    add("--port", type=int, default=8765, help="port to bind, 0 for any (default: 8765)")
    add("--seed", choices=["demo"], help="load the demo organisation at start and on reset")
    add("--api-key", help="the accepted API key (default: a random Close-shaped key)")
    add("--extra-api-key", action="append", default=[], help="another accepted key (repeatable)")
    add("--access-token", action="append", default=[], help="an accepted OAuth token (repeatable)")
    add("--rate-limit", action="append", default=[], metavar="[GROUP=]LIMIT/WINDOW")
    add("--rate-limit-body", choices=["legacy", "error", "none"], default="legacy")
    add("--latency-ms", type=int, default=0, help="delay added to every API response")
    add("--fault", action="append", default=[], metavar="KIND[:OPTION=VALUE,...]")
    add("--max-skip", action="append", default=[], metavar="RESOURCE=N")
    add("--max-limit", action="append", default=[], metavar="RESOURCE=N")
    add(
        "--oauth-client",
        action="append",
        default=[],
        metavar="CLIENT_ID:SECRET",
        help="an OAuth app the token endpoint accepts (repeatable; default: one random app)",
    )
    add(
        "--access-token-lifetime",
        type=float,
        default=DEFAULT_ACCESS_TOKEN_LIFETIME,
        metavar="SECONDS",
        help="expires_in of issued OAuth access tokens (default: 3600)",
    )
    add(
        "--keep-access-on-refresh",
        action="store_true",
        help="a refresh leaves the previous access token valid until it expires",
    )
    add(
        "--search-lag",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="seconds before lead/contact writes reach search (default: 0)",
    )
    return parser


def _oauth_clients(specs: Sequence[str]) -> dict[str, str] | None:
    """Return ``CLIENT_ID:SECRET`` specs as a dict (None when there are none)."""
    clients: dict[str, str] = {}
    for spec in specs:
        client_id, colon, secret = spec.partition(":")
        if not (client_id and colon and secret):
            raise ValueError(f"bad --oauth-client {spec!r}: expected CLIENT_ID:SECRET")
        clients[client_id] = secret
    return clients or None


def _page_limits(specs: Sequence[str]) -> dict[str, int] | None:
    """Return ``RESOURCE=N`` specs as a dict (None when there are none)."""
    return dict(parse_page_limit_spec(spec) for spec in specs) or None


def sandbox_from_args(args: argparse.Namespace) -> CloseSandbox:
    """Return a (not yet started) sandbox configured from parsed arguments.

    :param args: the parsed command line.
    """
    rules: dict[str, RateRule] = dict(parse_rate_limit_spec(spec) for spec in args.rate_limit)
    faults: list[Fault] = [parse_fault_spec(spec) for spec in args.fault]
    return CloseSandbox(
        seed=args.seed,
        api_key=args.api_key,
        api_keys=args.extra_api_key,
        access_tokens=args.access_token,
        rate_limits={group: (rule.limit, rule.window) for group, rule in rules.items()},
        rate_limit_body=args.rate_limit_body,
        latency_ms=args.latency_ms,
        faults=faults,
        max_skip=_page_limits(args.max_skip),
        max_limit=_page_limits(args.max_limit),
        search_lag=args.search_lag,
        host=args.host,
        port=args.port,
        oauth_clients=_oauth_clients(args.oauth_client),
        access_token_lifetime=args.access_token_lifetime,
        revoke_access_on_refresh=not args.keep_access_on_refresh,
    )


def _print_banner(sandbox: CloseSandbox, out: TextIO) -> None:
    """Print where the sandbox listens and how to point Airflow at it."""
    connection = {"conn_type": "close", "host": sandbox.url, "password": sandbox.api_key}
    print(f"Close sandbox listening on {sandbox.url} (API: {sandbox.api_url})", file=out)
    print(f"API key:      {sandbox.api_key}", file=out)
    print(f"Access token: {sandbox.access_token}", file=out)
    print(
        f"OAuth app:    client_id {sandbox.oauth_client_id} (token endpoint "
        f"{sandbox.url}/oauth2/token/; mint a refresh token with POST "
        '/_sandbox/oauth {"issue": null})',
        file=out,
    )
    print(f"Control:      {sandbox.url}/_sandbox/ (lists the controls; --help too)", file=out)
    print(f"export AIRFLOW_CONN_CLOSE_DEFAULT='{json.dumps(connection)}'", file=out)
    print("Press Ctrl-C to stop.", file=out, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox until SIGINT or SIGTERM; return the exit code.

    :param argv: the arguments (default: ``sys.argv[1:]``).
    """
    parser = _argument_parser()
    args = parser.parse_args(argv)
    try:
        sandbox = sandbox_from_args(args)
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with sandbox:
        _print_banner(sandbox, sys.stdout)
        while not stop.wait(0.5):
            pass
    print("Close sandbox stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
