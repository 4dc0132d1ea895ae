"""A loopback HTTP server that echoes the request headers back, as misbehaving proxies do.

Not the sandbox: a stand-in for a WAF page, a debug server or a proxy error page that quotes
the request (and so the ``Authorization`` header) in its text. Paths choose the answer:

- ``/400/``, ``/502/``: that status, ``text/plain`` body listing every request header;
- ``/json400/``: 400 ``{"error": ..., "headers": {...}}`` (a JSON body quoting them);
- ``/cut400/``: 400 text where the client's 500-character cut falls inside the echoed header;
- anything else: 502 text.

Every answer also echoes the header in ``X-Echo-Authorization``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["header_echo_server"]


class _EchoHandler(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        dump = "\n".join(f"{name}: {value}" for name, value in self.headers.items())
        auth = self.headers.get("Authorization", "")
        kind = self.path.strip("/").split("/")[-1]
        status, content_type = (400, "text/plain") if kind in ("400", "cut400") else (502, "")
        body = f"Upstream said no. Your request was:\n{dump}\n"
        if kind == "cut400":
            body = "E" * 480 + " " + auth + " end"
        if kind == "json400":
            status, content_type = 400, "application/json"
            body = json.dumps({"error": f"bad: {auth}", "headers": dict(self.headers.items())})
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type or "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Echo-Authorization", auth)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet (the default writes every request to stderr)."""


@contextmanager
def header_echo_server() -> Iterator[str]:
    """Run the echo server on a free loopback port; yield its base URL (``.../api/v1/``)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
